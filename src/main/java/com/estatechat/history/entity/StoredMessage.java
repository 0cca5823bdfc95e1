package com.estatechat.history.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * One message as one recipient has it (see {@code db/estate-chat/V1__conversations.sql}). Rows
 * are written by the history writer with SQL of its own (idempotent inserts, forward-only status
 * updates); this mapping is for reading them.
 */
@Entity
@Table(name = "chat_message")
@IdClass(StoredMessage.Key.class)
public class StoredMessage {

    @Id
    @Column(name = "message_id")
    private String messageId;

    @Id
    @Column(name = "recipient_id")
    private String recipientId;

    @Column(name = "sender_id")
    private String senderId;

    @Column(name = "sender_role")
    private String senderRole;

    @Column(name = "target_id")
    private String targetId;

    @Column(name = "body")
    private String body;

    @Column(name = "client_msg_id")
    private String clientMsgId;

    @Column(name = "sent_at")
    private OffsetDateTime sentAt;

    @Column(name = "status")
    private int status;

    @Column(name = "delivered_at")
    private OffsetDateTime deliveredAt;

    @Column(name = "read_at")
    private OffsetDateTime readAt;

    public String messageId() { return messageId; }
    public String recipientId() { return recipientId; }
    public String senderId() { return senderId; }
    public String senderRole() { return senderRole; }
    public String targetId() { return targetId; }
    public String body() { return body; }
    public String clientMsgId() { return clientMsgId; }
    public OffsetDateTime sentAt() { return sentAt; }
    public MessageStatus status() { return MessageStatus.ofRank(status).orElse(MessageStatus.QUEUED); }
    public OffsetDateTime deliveredAt() { return deliveredAt; }
    public OffsetDateTime readAt() { return readAt; }

    /** The composite primary key. */
    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        private String messageId;
        private String recipientId;

        public Key() {
        }

        public Key(String messageId, String recipientId) {
            this.messageId = messageId;
            this.recipientId = recipientId;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Objects.equals(messageId, key.messageId)
                    && Objects.equals(recipientId, key.recipientId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(messageId, recipientId);
        }
    }
}
