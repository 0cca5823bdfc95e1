-- The conversation store: one row per message and recipient.
-- A message to a user has one row (recipient_id = target_id). A broadcast has a row for its role key
-- (recipient_id = target_id = 'role:...', the sender's view) and one per recipient once that
-- recipient received it. status: 1 queued, 2 delivered, 3 read; it only moves forward.
CREATE TABLE chat_message (
    message_id    VARCHAR(36)    NOT NULL,
    recipient_id  VARCHAR(64)    NOT NULL,
    sender_id     VARCHAR(64)    NOT NULL,
    sender_role   VARCHAR(16)    NOT NULL,
    target_id     VARCHAR(64)    NOT NULL,
    body          VARCHAR(65536) NOT NULL,
    client_msg_id VARCHAR(64),
    sent_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    status        SMALLINT       NOT NULL,
    delivered_at  TIMESTAMP WITH TIME ZONE,
    read_at       TIMESTAMP WITH TIME ZONE,
    CONSTRAINT chat_message_pk PRIMARY KEY (message_id, recipient_id)
);

-- what a user received, by peer, newest first (conversations, history, unread counts, read marks)
CREATE INDEX chat_message_by_recipient ON chat_message (recipient_id, sender_id, message_id);
-- what a user sent, by peer or role
CREATE INDEX chat_message_by_sender ON chat_message (sender_id, target_id, message_id);
