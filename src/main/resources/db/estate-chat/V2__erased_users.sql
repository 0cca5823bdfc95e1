-- Users whose stored messages were erased (DELETE /api/users/{id}), and when. An event about a
-- message sent before then (one that still waited in an inbox, acked later) is not written back.
CREATE TABLE chat_erased_user (
    user_id    VARCHAR(64) NOT NULL,
    erased_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT chat_erased_user_pk PRIMARY KEY (user_id)
);

-- One row that each writer's batch and each erasure lock (SELECT ... FOR UPDATE) for their
-- transaction, on every node: an erasure then sees the rows of every batch committed before it,
-- and every later batch sees its chat_erased_user row.
CREATE TABLE chat_write_guard (
    id SMALLINT NOT NULL,
    CONSTRAINT chat_write_guard_pk PRIMARY KEY (id)
);
INSERT INTO chat_write_guard (id) VALUES (1);
