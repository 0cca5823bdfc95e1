package com.estatechat.amqp.control;

import com.estatechat.settings.ChatSettings;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.impl.recovery.AutorecoveringConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
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

    @Inject
    BrokerConnection broker;

    private final Set<String> declaredInboxes = ConcurrentHashMap.newKeySet();
    private volatile boolean exchangesDeclared;

    void onConnected(@Observes BrokerConnected connected) {
        // a new or recovered connection may talk to a broker that lost what we declared
        exchangesDeclared = false;
        declaredInboxes.clear();
        BrokerFeatures features = broker.features();
        if (!features.rabbitQueueArguments()) {
            LOG.warning(() -> "The broker " + features + " does not take RabbitMQ queue arguments: queues are"
                    + " declared without " + String.join(", ", new TreeSet<>(inboxArguments().keySet()))
                    + ". So chat.amqp.queue-type (" + queueType() + "), chat.inbox.max-length ("
                    + settings.inboxMaxLength() + ") and chat.inbox.message-ttl (" + settings.inboxMessageTtl()
                    + ") have no effect, and unreadable messages are copied to " + settings.deadLetterExchange()
                    + " by the server instead of dead-lettered by the broker.");
        }
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
        declareInbox(channel, userId, List.of(), List.of());
    }

    /**
     * Declares the user's inbox, binds it by user id and by each key in {@code bind} (the
     * broadcasts the user receives) and unbinds the keys in {@code unbind} (broadcasts it no
     * longer receives, after a role change).
     *
     * @return how many consumers the inbox already has
     */
    public int declareInbox(Channel channel, String userId, List<String> bind, List<String> unbind)
            throws IOException {
        ensureExchanges(channel);
        String queue = inboxName(userId);
        int consumers = channel.queueDeclare(queue, true, false, false, brokerArguments(inboxArguments()))
                .getConsumerCount();
        // no reply awaited: the broker handles a channel's methods in order, so they are in force before
        // whatever the caller asks next on this channel (the consume, the publish), and a failure closes it
        channel.queueBindNoWait(queue, settings.exchange(), userId, null);
        for (String key : bind) {
            channel.queueBindNoWait(queue, settings.exchange(), key, null);
        }
        for (String key : unbind) {
            unbind(channel, queue, key);
        }
        forgetForRecovery(channel, queue);
        declaredInboxes.add(userId);
        return consumers;
    }

    /**
     * Removes a binding that may not exist. RabbitMQ ignores a missing binding; Qpid Broker-J answers
     * with a 404 that closes the channel, so there each unbind runs on a short channel of its own.
     */
    private void unbind(Channel channel, String queue, String routingKey) throws IOException {
        if (broker.features().ignoresMissingBindings()) {
            channel.queueUnbind(queue, settings.exchange(), routingKey);
            return;
        }
        Channel own = broker.openChannel();
        try {
            own.queueUnbind(queue, settings.exchange(), routingKey);
        } catch (IOException e) {
            // 404: it was not bound, which is what we want
        } finally {
            if (own.isOpen()) {
                try {
                    own.close();
                } catch (IOException | TimeoutException e) {
                    LOG.log(Level.FINE, "Closing an unbind channel failed", e);
                }
            }
        }
    }

    /**
     * The client library records every queue and binding declared through a recovering connection,
     * even with topology recovery off (the server re-declares after a recovery itself): the record
     * grew by three bindings per user ever seen, and each new binding scanned the whole list (the
     * top frame of the server's CPU profile under load). The inbox is taken out of it at once.
     */
    private static void forgetForRecovery(Channel channel, String queue) {
        if (channel.getConnection() instanceof AutorecoveringConnection recovering) {
            recovering.excludeQueueFromRecovery(queue, false);
        }
    }

    String deadLetterExchange() {
        return settings.deadLetterExchange();
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
                brokerArguments(Map.of("x-queue-type", queueType())));
        channel.queueBind(settings.deadLetterExchange(), settings.deadLetterExchange(), "");
        exchangesDeclared = true;
        LOG.info(() -> "Declared exchange " + settings.exchange() + " and dead-letter exchange and queue "
                + settings.deadLetterExchange());
    }

    /** The arguments the connected broker takes (the onConnected warning names what it leaves out). */
    private Map<String, Object> brokerArguments(Map<String, Object> wanted) {
        return broker.features().supported(wanted);
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
