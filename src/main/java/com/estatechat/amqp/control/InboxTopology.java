package com.estatechat.amqp.control;

import com.estatechat.settings.ChatSettings;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * What operators see in RabbitMQ: a durable direct exchange, one durable inbox queue per user
 * bound by the user id, and a dead-letter exchange and queue for what expires or cannot be read.
 * Remembers which inboxes it declared on the current connection so that a publish declares a
 * target's inbox only the first time.
 */
@ApplicationScoped
public class InboxTopology {

    private static final Logger LOG = Logger.getLogger(InboxTopology.class.getName());

    @Inject
    ChatSettings settings;

    private final Set<String> declaredInboxes = ConcurrentHashMap.newKeySet();
    private volatile boolean exchangesDeclared;

    void onConnected(@Observes BrokerConnected connected) {
        // a new or recovered connection may talk to a broker that lost what we declared
        exchangesDeclared = false;
        declaredInboxes.clear();
    }

    public String inboxName(String userId) {
        return settings.inboxPrefix() + userId;
    }

    /** Declares the user's inbox (and the exchanges, once per connection) unless already done. */
    public void ensureInbox(Channel channel, String userId) throws IOException {
        if (declaredInboxes.contains(userId)) {
            return;
        }
        declareInbox(channel, userId);
    }

    /** Declares the user's inbox and its binding, whether or not it was declared before. */
    public void declareInbox(Channel channel, String userId) throws IOException {
        ensureExchanges(channel);
        String queue = inboxName(userId);
        channel.queueDeclare(queue, true, false, false, inboxArguments());
        channel.queueBind(queue, settings.exchange(), userId);
        declaredInboxes.add(userId);
    }

    /** Forget that an inbox exists, so that the next publish declares it again (it was missing). */
    public void forget(String userId) {
        declaredInboxes.remove(userId);
    }

    private void ensureExchanges(Channel channel) throws IOException {
        if (exchangesDeclared) {
            return;
        }
        channel.exchangeDeclare(settings.exchange(), BuiltinExchangeType.DIRECT, true);
        channel.exchangeDeclare(settings.deadLetterExchange(), BuiltinExchangeType.FANOUT, true);
        channel.queueDeclare(settings.deadLetterExchange(), true, false, false,
                Map.of("x-queue-type", queueType()));
        channel.queueBind(settings.deadLetterExchange(), settings.deadLetterExchange(), "");
        exchangesDeclared = true;
        LOG.info(() -> "Declared exchange " + settings.exchange() + " and dead-letter exchange and queue "
                + settings.deadLetterExchange());
    }

    Map<String, Object> inboxArguments() {
        Map<String, Object> arguments = new HashMap<>();
        arguments.put("x-queue-type", queueType());
        arguments.put("x-dead-letter-exchange", settings.deadLetterExchange());
        if (settings.inboxMaxLength() > 0) {
            arguments.put("x-max-length", settings.inboxMaxLength());
            arguments.put("x-overflow", "reject-publish");
        }
        if (!settings.inboxMessageTtl().isZero()) {
            arguments.put("x-message-ttl", settings.inboxMessageTtl().toMillis());
        }
        return arguments;
    }

    private String queueType() {
        return settings.queueType() == ChatSettings.QueueType.QUORUM ? "quorum" : "classic";
    }
}
