-- Push for users who are away (com.estatechat.push): one row per user it ever considered.
-- pushed_up_to: the newest message id a push covered (ids are UUIDv7, ordered as text); a push is
-- claimed by a conditional UPDATE of it, so one node pushes each message at most once.
-- enabled: the user's own switch (PUT /api/me/push).
CREATE TABLE chat_push_user (
    user_id      VARCHAR(64) NOT NULL,
    enabled      BOOLEAN     NOT NULL,
    pushed_up_to VARCHAR(36),
    CONSTRAINT chat_push_user_pk PRIMARY KEY (user_id)
);
