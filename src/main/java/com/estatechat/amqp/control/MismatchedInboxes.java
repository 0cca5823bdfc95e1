package com.estatechat.amqp.control;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The inboxes this process found declared with other arguments than its settings ask for (406),
 * the {@value #KEPT} most recently used: their declares go straight to the passive one. Shared by
 * every owner that declares inboxes (each consumer channel's, a directory call's), so it is
 * guarded by its monitor, a leaf: nothing is called while it is held.
 */
final class MismatchedInboxes {

    static final int KEPT = 4_096;

    /** Guarded by this; in access order, the least recently used first. */
    private final Map<String, Boolean> queues = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > KEPT;
        }
    };

    synchronized boolean contains(String queue) {
        return queues.get(queue) != null;
    }

    /** @return whether it was not known yet (or no longer: one used {@value #KEPT} declares ago) */
    synchronized boolean add(String queue) {
        return queues.put(queue, Boolean.TRUE) == null;
    }

    synchronized void remove(String queue) {
        queues.remove(queue);
    }
}
