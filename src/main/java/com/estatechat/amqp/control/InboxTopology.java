package com.estatechat.amqp.control;

import com.estatechat.logging.LogText;
import com.estatechat.settings.ChatSettings;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.impl.recovery.AutorecoveringChannel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What operators see in RabbitMQ: a durable direct exchange, one durable inbox queue per user
 * bound by the user id, and a dead-letter exchange and queue for what expires or cannot be read.
 * An inbox is declared only for a known user: when it connects ({@link InboxSubscription}) or is
 * provisioned. A publish never declares one: a message for a user without an inbox comes back
 * from the broker ({@link UnknownRecipient}).
 */
@ApplicationScoped
public class InboxTopology {

    private static final Logger LOG = Logger.getLogger(InboxTopology.class.getName());

    @Inject
    ChatSettings settings;

    @Inject
    BrokerConnection broker;

    private volatile boolean exchangesDeclared;
    private final MismatchedInboxes mismatched = new MismatchedInboxes();
    /**
     * The inboxes this node declared and bound on the current broker connection, each with its
     * binds and unbinds: a user connecting again finds its inbox by a passive declare, and its
     * bindings as they were. Emptied on a new broker connection; forgotten when deleted here, or
     * found gone; emptied when it reaches {@link #DECLARED_LIMIT} (the next connects declare in full).
     */
    private final Map<String, Bindings> declared = new ConcurrentHashMap<>();
    static final int DECLARED_LIMIT = 100_000;

    private record Bindings(List<String> bind, List<String> unbind) {
    }

    void onConnected(@Observes BrokerConnected connected) {
        // a new or recovered connection may talk to a broker that lost what we declared
        exchangesDeclared = false;
        declared.clear();
        BrokerFeatures features = broker.features();
        if (!features.rabbitQueueArguments()) {
            LOG.warning(() -> "The broker " + features + " does not take RabbitMQ queue arguments: queues are"
                    + " declared without " + String.join(", ", new TreeSet<>(inboxArguments().keySet()))
                    + ". So chat.amqp.queue-type (" + queueType() + "), chat.inbox.max-length ("
                    + settings.inboxMaxLength() + "), chat.inbox.message-ttl (" + settings.inboxMessageTtl()
                    + ") and chat.inbox.expires (" + settings.inboxExpires() + ") have no effect, and unreadable messages are copied to " + settings.deadLetterExchange()
                    + " by the server instead of dead-lettered by the broker.");
        }
    }

    /** Whether a user's inbox may have consumers on several nodes: one active, the others standing by. */
    boolean fanOut() {
        return settings.fanOut();
    }

    public String inboxName(String userId) {
        return settings.inboxPrefix() + userId;
    }


    /**
     * Declares the user's inbox, binds it by user id and by each key in {@code bind} (the
     * broadcasts the user receives) and unbinds the keys in {@code unbind} (broadcasts it no
     * longer receives, after a role change). An inbox found with other arguments before is
     * declared passively, as it is.
     *
     * @return how many consumers the inbox already has
     * @throws InboxArgumentsMismatch when the inbox exists with other arguments, or was deleted
     *         since it was found so: {@code channel} is closed, and {@link #useExistingInbox} on a
     *         new channel goes on
     */
    public int declareInbox(Channel channel, String userId, List<String> bind, List<String> unbind)
            throws IOException {
        Channel direct = unrecorded(channel);
        ensureExchanges(direct);
        String queue = inboxName(userId);
        if (mismatched.contains(queue)) {
            return declareAsItIs(direct, queue, userId, bind, unbind);
        }
        Bindings bindings = new Bindings(List.copyOf(bind), List.copyOf(unbind));
        if (bindings.equals(declared.get(queue))) {
            return declaredBefore(direct, queue);
        }
        int consumers;
        try {
            consumers = direct.queueDeclare(queue, true, false, false, brokerArguments(inboxArguments()))
                    .getConsumerCount();
        } catch (IOException e) {
            if (isPreconditionFailed(e)) {
                refused(queue);
                throw new InboxArgumentsMismatch(queue, e);
            }
            throw e;
        }
        bind(direct, queue, userId, bind, unbind);
        if (declared.size() >= DECLARED_LIMIT) {
            declared.clear();
        }
        declared.put(queue, bindings);
        return consumers;
    }

    /**
     * An inbox this node declared and bound as asked now, on this broker connection: found by a
     * passive declare (no write at the broker, its arguments as they are), its bindings taken as
     * they were. Deleted since, it is forgotten and {@link InboxArgumentsMismatch} makes the caller
     * declare it in full on a new channel.
     */
    private int declaredBefore(Channel direct, String queue) throws IOException {
        try {
            return direct.queueDeclarePassive(queue).getConsumerCount();
        } catch (IOException e) {
            declared.remove(queue);
            if (isGone(e)) {
                throw InboxArgumentsMismatch.deletedSinceDeclared(queue, e);
            }
            throw e;
        }
    }

    /**
     * Goes on after {@link InboxArgumentsMismatch}: with the inbox as it is (it exists and is bound
     * as {@link #declareInbox} does), or, when it was deleted since, declared anew as the settings
     * ask.
     */
    public int useExistingInbox(Channel channel, String userId, List<String> bind, List<String> unbind)
            throws IOException {
        String queue = inboxName(userId);
        if (!mismatched.contains(queue)) {
            return declareInbox(channel, userId, bind, unbind);
        }
        return declareAsItIs(unrecorded(channel), queue, userId, bind, unbind);
    }

    /** Passively: the inbox exists with other arguments, and a declare as the settings ask costs a 406. */
    private int declareAsItIs(Channel direct, String queue, String userId, List<String> bind, List<String> unbind)
            throws IOException {
        int consumers;
        try {
            consumers = direct.queueDeclarePassive(queue).getConsumerCount();
        } catch (IOException e) {
            if (isGone(e)) {
                // deleted (its user removed, or by the operator so that it takes the settings' arguments)
                mismatched.remove(queue);
                throw InboxArgumentsMismatch.deletedSince(queue, e);
            }
            throw e;
        }
        bind(direct, queue, userId, bind, unbind);
        return consumers;
    }

    /** A declare of {@code queue} was refused (406): remembered, and warned about the first time. */
    private void refused(String queue) {
        if (mismatched.add(queue)) {
            LOG.warning(() -> "The inbox " + LogText.of(queue) + " exists with other arguments than this server's"
                    + " settings ask for (chat.amqp.queue-type, chat.cluster.fan-out, chat.inbox.max-length,"
                    + " chat.inbox.message-ttl, chat.inbox.expires): this node uses it as it is and says so once."
                    + " Its limits can be set by a RabbitMQ policy; its queue type and single active consumer only"
                    + " by deleting it while its user is offline and it is empty (docs/operations.md, Several nodes)");
        }
    }

    /**
     * Returns once every bind is in force, or throws the broker's refusal. The binds but one go
     * without a reply: the broker takes a channel's methods in order, so the answer to a later call
     * on this channel (an unbind here, else the last bind) proves them all, and a refused one fails
     * that call. The caller's consumer starts on another channel, which the broker does not order
     * with this one: it must not start before this returns.
     */
    private void bind(Channel channel, String queue, String userId, List<String> bind, List<String> unbind)
            throws IOException {
        boolean unbindsHere = !unbind.isEmpty() && broker.features().ignoresMissingBindings();
        for (String key : bind) {
            channel.queueBindNoWait(queue, settings.exchange(), key, null);
        }
        if (unbindsHere) {
            channel.queueBindNoWait(queue, settings.exchange(), userId, null);
        } else {
            channel.queueBind(queue, settings.exchange(), userId);
        }
        for (String key : unbind) {
            unbind(channel, queue, key);
        }
    }

    /**
     * Whether the user's inbox no longer exists, so the user is gone (the directory's record: see
     * {@code directory.control.UserDirectory}). A passive declare answers 404 then, which closes
     * {@code channel}. RabbitMQ also answers 404 for a durable queue that exists while its node is
     * down or its process crashed: that is not gone.
     *
     * @throws IOException when the broker could not tell
     */
    public boolean inboxGone(Channel channel, String userId) throws IOException {
        try {
            unrecorded(channel).queueDeclarePassive(inboxName(userId));
            return false;
        } catch (IOException e) {
            if (isGone(e)) {
                declared.remove(inboxName(userId));
                return true;
            }
            throw e;
        }
    }

    /** Whether a passive declare failed for want of the queue (404), not for its node being down. */
    private static boolean isGone(IOException e) {
        return e.getCause() instanceof com.rabbitmq.client.ShutdownSignalException signal
                && signal.getReason() instanceof com.rabbitmq.client.AMQP.Channel.Close close
                && close.getReplyCode() == com.rabbitmq.client.AMQP.NOT_FOUND
                && UNAVAILABLE_QUEUE.stream().noneMatch(close.getReplyText()::contains);
    }

    /** Words of RabbitMQ's 404 for a queue that exists but cannot be reached (rabbit_amqqueue:absent/2, read in 3.10.8). */
    private static final List<String> UNAVAILABLE_QUEUE = List.of("is down or inaccessible", "has crashed",
            "is stopped", "due to timeout");

    /** Deletes the user's inbox with what it holds; the broker cancels its consumers on every node. */
    public void deleteInbox(Channel channel, String userId) throws IOException {
        declared.remove(inboxName(userId));
        unrecorded(channel).queueDelete(inboxName(userId));
        mismatched.remove(inboxName(userId)); // declared anew as the settings ask
    }

    private static boolean isPreconditionFailed(IOException e) {
        return e.getCause() instanceof com.rabbitmq.client.ShutdownSignalException signal
                && signal.getReason() instanceof com.rabbitmq.client.AMQP.Channel.Close close
                && close.getReplyCode() == com.rabbitmq.client.AMQP.PRECONDITION_FAILED;
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
            unrecorded(own).queueUnbind(queue, settings.exchange(), routingKey);
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
     * The channel beneath the client library's recovering one. Every queue and binding declared
     * through a recovering channel goes into its connection's record, even with topology recovery
     * off (the server declares again after a recovery itself): the record grew by three bindings
     * per user ever seen, and each new binding scanned all of it (a fifth of the server's CPU while
     * 2,000 users connected at once). The channel beneath records nothing; it is the same AMQP
     * channel, and a recovery that replaces it fails the call as a closed channel would. The inbox
     * consumers start on it too ({@link ConsumerChannel}).
     */
    static Channel unrecorded(Channel channel) {
        return channel instanceof AutorecoveringChannel recovering ? recovering.getDelegate() : channel;
    }

    /**
     * The routing key of the history queue on the chat exchange. No user id can take it (a colon is
     * not allowed in one) and no sender can target it (not a user id, not a role).
     */
    public static final String HISTORY_KEY = "history:events";

    /**
     * Declares the history queue (durable, of the inboxes' queue type, unbounded: the store may be
     * away for a while) and binds it to the chat exchange by {@link #HISTORY_KEY}.
     */
    public void declareHistoryQueue(Channel channel, String queue) throws IOException {
        Channel direct = unrecorded(channel);
        ensureExchanges(direct);
        try {
            direct.queueDeclare(queue, true, false, false, brokerArguments(Map.of("x-queue-type", queueType(),
                    "x-dead-letter-exchange", settings.deadLetterExchange())));
        } catch (IOException e) {
            if (isPreconditionFailed(e)) {
                throw new InboxArgumentsMismatch("the history queue " + queue,
                        "chat.amqp.queue-type and chat.amqp.dead-letter-exchange", e);
            }
            throw e;
        }
        direct.queueBind(queue, settings.exchange(), HISTORY_KEY);
    }

    /**
     * Goes on with a history queue that exists with other arguments (after the
     * {@link InboxArgumentsMismatch} of {@link #declareHistoryQueue}), on a new channel: it is bound
     * and used as it is, with a warning.
     */
    public void useExistingHistoryQueue(Channel channel, String queue) throws IOException {
        Channel direct = unrecorded(channel);
        LOG.warning(() -> "The history queue " + queue + " exists with other arguments than this server's settings"
                + " ask for (chat.amqp.queue-type, chat.amqp.dead-letter-exchange): it is used as it is");
        direct.queueDeclarePassive(queue);
        direct.queueBind(queue, settings.exchange(), HISTORY_KEY);
    }

    /**
     * Declares a copy of the history queue that holds each event for {@code delay}: a durable
     * queue bound by {@link #HISTORY_KEY} whose messages expire into {@code dueQueue} (through the
     * default exchange), where they keep at most {@code dueTtl}. The broker times the delay, so it
     * survives a restart of any node.
     *
     * @throws InboxArgumentsMismatch when a queue exists with another delay or type: {@code channel}
     *         is closed; the caller goes on with it as it is, or not at all
     */
    public void declareDelayedCopy(Channel channel, String delayQueue, Duration delay, String dueQueue,
            Duration dueTtl) throws IOException {
        Channel direct = unrecorded(channel);
        ensureExchanges(direct);
        try {
            direct.queueDeclare(dueQueue, true, false, false, brokerArguments(Map.of("x-queue-type", queueType(),
                    "x-message-ttl", dueTtl.toMillis())));
            direct.queueDeclare(delayQueue, true, false, false, brokerArguments(Map.of("x-queue-type", queueType(),
                    "x-message-ttl", delay.toMillis(), "x-dead-letter-exchange", "",
                    "x-dead-letter-routing-key", dueQueue)));
        } catch (IOException e) {
            if (isPreconditionFailed(e)) {
                throw new InboxArgumentsMismatch("the queue " + delayQueue + " or " + dueQueue,
                        "chat.push.delay and chat.amqp.queue-type", e);
            }
            throw e;
        }
        direct.queueBind(delayQueue, settings.exchange(), HISTORY_KEY);
    }

    /** Goes on with the queues of {@link #declareDelayedCopy} as they are, on a new channel. */
    public void useExistingDelayedCopy(Channel channel, String delayQueue, String dueQueue) throws IOException {
        Channel direct = unrecorded(channel);
        direct.queueDeclarePassive(dueQueue);
        direct.queueDeclarePassive(delayQueue);
        direct.queueBind(delayQueue, settings.exchange(), HISTORY_KEY);
    }

    String deadLetterExchange() {
        return settings.deadLetterExchange();
    }

    /** Declares the exchanges and the dead-letter queue, once per broker connection. */
    void ensureExchanges(Channel channel) throws IOException {
        if (exchangesDeclared) {
            return;
        }
        Channel direct = unrecorded(channel);
        direct.exchangeDeclare(settings.exchange(), BuiltinExchangeType.DIRECT, true);
        direct.exchangeDeclare(settings.deadLetterExchange(), BuiltinExchangeType.FANOUT, true);
        declareDeadLetterQueue(direct);
        direct.queueBind(settings.deadLetterExchange(), settings.deadLetterExchange(), "");
        exchangesDeclared = true;
        LOG.info(() -> "Declared exchange " + settings.exchange() + " and dead-letter exchange and queue "
                + settings.deadLetterExchange());
    }

    /**
     * The dead-letter queue, whose messages expire after {@code chat.amqp.dead-letter-ttl}: they are
     * message bodies, kept no longer than needed (an erased user's too). A queue an earlier version
     * declared without that TTL cannot take it (406): it is declared on a channel of its own, so
     * that the refusal does not close the caller's, and used as it is, with a warning.
     */
    private void declareDeadLetterQueue(Channel direct) throws IOException {
        String queue = settings.deadLetterExchange();
        Map<String, Object> wanted = new HashMap<>(Map.of("x-queue-type", queueType()));
        Duration ttl = settings.deadLetterTtl();
        if (!ttl.isZero()) {
            wanted.put("x-message-ttl", ttl.toMillis());
        }
        Map<String, Object> arguments = brokerArguments(wanted);
        if (!arguments.containsKey("x-message-ttl")) {
            direct.queueDeclare(queue, true, false, false, arguments);
            return;
        }
        Channel own = direct.getConnection().createChannel();
        if (own == null) {
            throw new IOException("no channel left on the connection to declare " + queue);
        }
        try {
            own.queueDeclare(queue, true, false, false, arguments);
        } catch (IOException e) {
            if (!isPreconditionFailed(e)) {
                throw e;
            }
            LOG.warning(() -> "The dead-letter queue " + queue + " exists with other arguments than"
                    + " chat.amqp.dead-letter-ttl (" + ttl + ") and chat.amqp.queue-type ask for: it is used as it is,"
                    + " and may keep what it holds for ever. Give it a policy with a message-ttl, or delete it"
                    + " (docs/operations.md, Erasure)");
            direct.queueDeclarePassive(queue);
        } finally {
            if (own.isOpen()) {
                try {
                    own.close();
                } catch (IOException | TimeoutException | RuntimeException e) {
                    LOG.log(Level.FINE, e, () -> "Closing the channel that declared " + queue + " failed");
                }
            }
        }
    }

    /** The arguments the connected broker takes (the onConnected warning names what it leaves out). */
    private Map<String, Object> brokerArguments(Map<String, Object> wanted) {
        return broker.features().supported(wanted);
    }

    Map<String, Object> inboxArguments() {
        Map<String, Object> arguments = new HashMap<>();
        arguments.put("x-queue-type", queueType());
        arguments.put("x-dead-letter-exchange", settings.deadLetterExchange());
        if (settings.fanOut()) {
            // one node holds a user's deliveries, in order, and copies them to the others
            arguments.put("x-single-active-consumer", true);
        }
        if (settings.inboxMaxLength() > 0) {
            arguments.put("x-max-length", settings.inboxMaxLength());
            arguments.put("x-overflow", "reject-publish");
        }
        if (!settings.inboxMessageTtl().isZero()) {
            arguments.put("x-message-ttl", settings.inboxMessageTtl().toMillis());
        }
        if (!settings.inboxExpires().isZero()) {
            arguments.put("x-expires", settings.inboxExpires().toMillis());
        }
        return arguments;
    }

    private String queueType() {
        return settings.queueType() == ChatSettings.QueueType.QUORUM ? "quorum" : "classic";
    }
}
