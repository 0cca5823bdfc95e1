package com.estatechat.amqp.control;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.NavigableSet;

/**
 * Writes the acks gathered on one channel's owner as few as the broker allows: one
 * {@code basic.ack multiple=true} for the tags below the lowest tag still unsettled on the channel
 * (no delivery in that range is left unsettled), then the acks above it one by one.
 */
final class Acks {

    private Acks() {
    }

    /** On the channel's owner; {@code lowestUnsettled} is {@link Long#MAX_VALUE} when none is. */
    static void write(Channel channel, NavigableSet<Long> acked, long lowestUnsettled) throws IOException {
        NavigableSet<Long> below = acked.headSet(lowestUnsettled, false);
        if (!below.isEmpty()) {
            channel.basicAck(below.last(), true);
        }
        for (long tag : acked.tailSet(lowestUnsettled, false)) {
            channel.basicAck(tag, false);
        }
    }
}
