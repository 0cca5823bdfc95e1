package com.estatechat.history.control;

import com.estatechat.amqp.control.InboxTopology;
import com.estatechat.amqp.control.OutgoingMessage;
import com.estatechat.amqp.control.Publisher;
import com.estatechat.chat.control.FrameCodec;
import com.estatechat.history.entity.HistoryEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Hands events to the conversation store through the history queue: a persistent message on the
 * chat exchange with the history key, confirmed like a chat message. The future completes when
 * the broker has the event, so a caller acks what the event stands for only after that.
 */
@ApplicationScoped
public class HistoryFeed {

    static final String KIND = "history";

    @Inject
    Publisher publisher;

    @Inject
    FrameCodec codec;

    /**
     * @param orderKey the publishing lane's key (the connection's), so that the event travels in
     *        order with what the same connection publishes
     * @return completes when the broker stored the event; fails as {@link Publisher#publish} does
     *         (an {@link com.estatechat.amqp.control.UnknownRecipient} here means the history queue
     *         is not declared yet)
     */
    public CompletableFuture<Void> record(int orderKey, HistoryEvent event) {
        return publisher.publish(orderKey, OutgoingMessage.toUser(UUID.randomUUID().toString(), KIND,
                InboxTopology.HISTORY_KEY, codec.toJson(event).getBytes(StandardCharsets.UTF_8), Map.of()));
    }
}
