package com.estatechat.amqp.control;

/**
 * Hears what the other nodes say about users ({@link NodeNotices}). Called on the client library's
 * threads: an implementation only hands the notice over to the user's lane.
 */
public interface NodeNoticeListener {

    void onNotice(NodeNotice notice);
}
