package com.estatechat.history.control;

import jakarta.persistence.EntityManager;
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
}
