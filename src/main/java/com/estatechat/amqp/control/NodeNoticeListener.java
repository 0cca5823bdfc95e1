package com.estatechat.amqp.control;

/**
 * Hears what the other nodes say about users ({@link NodeNotices}). Called on the client library's
 * threads: an implementation only hands the notice over to the user's lane, and runs
 * {@code handled} (any thread) once the lane has handled it, or at once when it drops it: until
 * then the notice keeps one of the node's {@link NodeNotices#PREFETCH} places.
 */
public interface NodeNoticeListener {

    void onNotice(NodeNotice notice, Runnable handled);
}
