package com.estatechat.history.control;

import com.estatechat.history.entity.StoredMessage;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The conversation store's questions, in JPQL, for {@link StoreReads#read}. */
public final class ConversationQueries {

    private ConversationQueries() {
    }

    /** Who sent {@code messageId} to {@code recipientId}, if the store has it yet. */
    public static Function<EntityManager, Optional<String>> senderOf(String messageId, String recipientId) {
        return em -> em.createQuery("SELECT m.senderId FROM StoredMessage m WHERE m.messageId = :id"
                + " AND m.recipientId = :recipient", String.class)
                .setParameter("id", messageId)
                .setParameter("recipient", recipientId)
                .getResultStream().findFirst();
    }

    /**
     * What {@code userId} received or sent (from any device) after message {@code since}, oldest
     * first, at most {@code limit}: a broadcast it sent once (its role row), one it received as its
     * own row.
     */
    public static Function<EntityManager, List<StoredMessage>> after(String userId, String since, int limit) {
        return em -> em.createQuery("SELECT m FROM StoredMessage m WHERE m.messageId > :since"
                + " AND (m.recipientId = :user OR (m.senderId = :user AND m.recipientId = m.targetId))"
                + " ORDER BY m.messageId", StoredMessage.class)
                .setParameter("since", since)
                .setParameter("user", userId)
                .setMaxResults(limit)
                .getResultList();
    }
}
