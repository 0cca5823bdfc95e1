package com.estatechat.history.control;

import com.estatechat.history.entity.Conversation;
import com.estatechat.history.entity.MessagePage;
import com.estatechat.history.entity.MessageStatus;
import com.estatechat.history.entity.StoredMessage;
import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The conversation store's questions, in JPQL, for {@link StoreReads#read}. A viewer's side of a
 * conversation with a peer is what the viewer sent to the peer (the row whose recipient is the
 * target: for a broadcast, the role key's row) and what the peer sent to the viewer (the viewer's
 * own row). Message ids are UUIDv7: their order is the order in time.
 */
public final class ConversationQueries {

    private static final String BETWEEN = "((m.senderId = :viewer AND m.targetId = :peer AND m.recipientId = :peer)"
            + " OR (m.senderId = :peer AND m.recipientId = :viewer))";

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

    /**
     * The viewer's conversations, the one with the newest message first, at most {@code max}: each
     * peer with its newest message and the count of the peer's messages the viewer has not read.
     */
    public static Function<EntityManager, List<Conversation>> conversations(String viewerId, int max) {
        return em -> {
            Map<String, String> newestByPeer = new HashMap<>();
            // the newest max of each side hold the newest max of both
            newest(em, "SELECT m.targetId, MAX(m.messageId) AS newest FROM StoredMessage m"
                    + " WHERE m.senderId = :viewer AND m.recipientId = m.targetId GROUP BY m.targetId"
                    + " ORDER BY newest DESC", viewerId, max, newestByPeer);
            newest(em, "SELECT m.senderId, MAX(m.messageId) AS newest FROM StoredMessage m"
                    + " WHERE m.recipientId = :viewer GROUP BY m.senderId ORDER BY newest DESC", viewerId, max,
                    newestByPeer);
            List<Map.Entry<String, String>> peers = newestByPeer.entrySet().stream()
                    .sorted(Map.Entry.<String, String>comparingByValue().reversed())
                    .limit(max)
                    .toList();
            if (peers.isEmpty()) {
                return List.of();
            }
            Map<String, StoredMessage> lastByPeer = new HashMap<>();
            em.createQuery("SELECT m FROM StoredMessage m WHERE m.messageId IN :ids AND (m.recipientId = :viewer"
                    + " OR (m.senderId = :viewer AND m.recipientId = m.targetId))", StoredMessage.class)
                    .setParameter("ids", peers.stream().map(Map.Entry::getValue).toList())
                    .setParameter("viewer", viewerId)
                    .getResultList()
                    .forEach(row -> {
                        String peer = row.recipientId().equals(viewerId) ? row.senderId() : row.targetId();
                        if (row.messageId().equals(newestByPeer.get(peer))) {
                            lastByPeer.put(peer, row);
                        }
                    });
            Map<String, Long> unread = new HashMap<>();
            em.createQuery("SELECT m.senderId, COUNT(m) FROM StoredMessage m WHERE m.recipientId = :viewer"
                    + " AND m.status < :read AND m.senderId IN :peers GROUP BY m.senderId", Object[].class)
                    .setParameter("viewer", viewerId)
                    .setParameter("read", MessageStatus.READ.rank())
                    .setParameter("peers", peers.stream().map(Map.Entry::getKey).toList())
                    .getResultList()
                    .forEach(row -> unread.put((String) row[0], ((Number) row[1]).longValue()));
            List<Conversation> conversations = new ArrayList<>();
            for (Map.Entry<String, String> peer : peers) {
                StoredMessage last = lastByPeer.get(peer.getKey());
                if (last != null) {
                    conversations.add(new Conversation(peer.getKey(), last, unread.getOrDefault(peer.getKey(), 0L)));
                }
            }
            return conversations;
        };
    }

    private static void newest(EntityManager em, String jpql, String viewerId, int max, Map<String, String> into) {
        em.createQuery(jpql, Object[].class)
                .setParameter("viewer", viewerId)
                .setMaxResults(max)
                .getResultList()
                .forEach(row -> into.merge((String) row[0], (String) row[1],
                        (one, other) -> one.compareTo(other) >= 0 ? one : other));
    }

    /**
     * The messages between the viewer and {@code peerId}, newest first: at most {@code limit},
     * older than {@code beforeMessageId} when that is given (null for the newest).
     */
    public static Function<EntityManager, MessagePage> messages(String viewerId, String peerId, String beforeMessageId,
            int limit) {
        return em -> {
            TypedQuery<StoredMessage> query = em.createQuery("SELECT m FROM StoredMessage m WHERE " + BETWEEN
                    + (beforeMessageId == null ? "" : " AND m.messageId < :before") + " ORDER BY m.messageId DESC",
                    StoredMessage.class)
                    .setParameter("viewer", viewerId)
                    .setParameter("peer", peerId)
                    .setMaxResults(limit + 1); // one more tells whether there are more
            if (beforeMessageId != null) {
                query.setParameter("before", beforeMessageId);
            }
            List<StoredMessage> rows = query.getResultList();
            return rows.size() > limit ? new MessagePage(List.copyOf(rows.subList(0, limit)), true)
                    : new MessagePage(List.copyOf(rows), false);
        };
    }
}
