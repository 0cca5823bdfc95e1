package com.estatechat.amqp.control;

import com.estatechat.logging.LogText;
import com.estatechat.metrics.Meters;
import com.estatechat.metrics.StepMeter;
import com.estatechat.settings.ChatSettings;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Return;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the nodes tell each other about the users they have connections of, so that every device
 * of a user gets every message whichever node it is on (docs/design.md, Fan-out across nodes).
 * Each node has an id of its own for this process and a transient queue {@code chat.node.<id>}
 * (exclusive: it goes with the node's connection, and its bindings with it). While the node has
 * a connection of user U, that queue is bound to the presence exchange by U, and the node says
 * {@code hello} there; the nodes bound by U answer {@code here} to it directly. The node holding
 * U's deliveries sends the others a {@code copy} of each, and they send back the {@code ack} of
 * a device of theirs. Notices are transient and unconfirmed: a lost one costs a message coming
 * again, flagged {@code redelivered}, never a message lost (the inbox keeps it until an ack).
 * Notices to one node are mandatory: one that comes back tells that the node is gone
 * ({@link #GONE}), though it never said bye.
 * <p>
 * Threads: binds, unbinds, the consumer and its acks run on one owner on the consuming
 * connection; at most {@link #PREFETCH} notices are held unacked, each until its listener says
 * it was handled. The notices are written by another owner on the publishing connection (a broker
 * alarm blocks it, never the binds), at most {@link #MAX_UNWRITTEN} waiting: past that a notice is
 * dropped and counted. The listener is called on the client library's thread and only hands over.
 */
@ApplicationScoped
public class NodeNotices {

    private static final Logger LOG = Logger.getLogger(NodeNotices.class.getName());

    public static final String HELLO = "hello";
    public static final String HERE = "here";
    public static final String BYE = "bye";
    public static final String COPY = "copy";
    public static final String ACK = "ack";
    /** Never sent: a notice to the node came back (its queue is gone), heard as if it had said bye. */
    public static final String GONE = "gone";

    static final int MAX_UNWRITTEN = 10_000;
    /** The notices this node holds unacked at most; the rest wait in its queue at the broker. */
    static final int PREFETCH = 1_000;

    @Inject
    BrokerConnection broker;

    @Inject
    ChatSettings settings;

    @Inject
    Meters meters;

    private StepMeter joinQueued = StepMeter.NONE;
    private StepMeter joinBind = StepMeter.NONE;

    private final String nodeId = UUID.randomUUID().toString();
    private final AtomicInteger unwritten = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private volatile NodeNoticeListener listener = (notice, handled) -> handled.run();
    private Executor binder;
    private Executor writer;

    // on the binder only
    private Channel consuming;
    /** The channel beneath {@link #consuming} that the consumer is on: its notices' tags are acked there. */
    private Channel consumer;
    /**
     * The users this node's queue is bound for, each with its latest stay here: bound again on a new
     * queue after a broker connection is lost.
     */
    private final Map<String, Object> bound = new HashMap<>();
    /** Joins not bound yet; at most one per user lane's join in flight. */
    private final List<Join> joining = new ArrayList<>();
    private boolean joinsQueued;
    /** The tags of the notices delivered on {@link #consumer} and not handled yet. */
    private final TreeSet<Long> unsettled = new TreeSet<>();
    /** The tags of the notices handled since the last flush, acked together. */
    private final TreeSet<Long> handled = new TreeSet<>();
    private boolean flushQueued;

    // on the writer only
    private Channel publishing;

    @PostConstruct
    void open() {
        binder = broker.newChannelOwner("node notices (binds)");
        writer = broker.newChannelOwner("node notices (writes)");
        if (meters != null) {
            joinQueued = meters.step("chat.connect.presence.queued");
            joinBind = meters.step("chat.connect.presence.bind");
        }
    }

    /** Whether the nodes tell each other anything: off for a load balancer that keeps each user on one node. */
    public boolean enabled() {
        return settings.fanOut();
    }

    /** This process's id among the nodes; a new one at each start. */
    public String nodeId() {
        return nodeId;
    }

    /** Who hears of the notices; set once by the owner of the users' state. */
    public void listen(NodeNoticeListener listener) {
        this.listener = listener;
    }

    /**
     * Binds this node's queue for the user's notices and says {@code hello}; the stage completes
     * once the binding is in force (so no copy sent afterwards misses this node), or fails with
     * {@link BrokerUnavailable}. Safe to call again for a user already bound: it says hello again,
     * and the holder sends what it holds (to a device that joined here meanwhile).
     *
     * @param stay the user's stay on this node (its state here, from its first connection to its
     *             last one leaving), compared by identity: the binding is the latest stay's, and
     *             only it {@linkplain #leave leaves}
     */
    public CompletableFuture<Void> join(String userId, Object stay) {
        Join join = new Join(userId, stay, new CompletableFuture<>(), System.nanoTime());
        binder.execute(() -> {
            joining.add(join);
            if (!joinsQueued) {
                joinsQueued = true;
                binder.execute(this::bindJoining);
            }
        });
        return join.result();
    }

    private record Join(String userId, Object stay, CompletableFuture<Void> result, long asked) {
    }

    /**
     * On the binder: binds the joins gathered since the last time, after the tasks queued now, in
     * one round trip (a connect storm's joins waited for 2,000 in turn). Each join is answered only
     * once every binding of the batch is in force, or fails with the batch.
     */
    private void bindJoining() {
        joinsQueued = false;
        if (joining.isEmpty()) {
            return;
        }
        List<Join> batch = List.copyOf(joining);
        joining.clear();
        batch.forEach(join -> joinQueued.waited(join.asked()));
        StepMeter.Start binding = joinBind.start();
        try {
            bind(batch);
        } catch (IOException | RuntimeException first) {
            // the channel may have outlived its queue (a recovered connection whose BrokerConnected
            // has not reached this owner yet): once more, on a new channel with the queue declared again
            dropChannel();
            try {
                bind(batch);
            } catch (IOException | RuntimeException e) {
                dropChannel();
                BrokerUnavailable failure = e instanceof BrokerUnavailable unavailable ? unavailable
                        : new BrokerUnavailable("cannot bind the node queue for " + batch.size() + " user(s)", e);
                batch.forEach(join -> join.result().completeExceptionally(failure));
                return;
            }
        }
        joinBind.stop(binding);
        for (Join join : batch) {
            join.result().complete(null);
            publish(settings.presenceExchange(), join.userId(), HELLO, join.userId(), null, null);
        }
    }

    /**
     * On the binder. The binds but the last go without a reply: the broker takes a channel's methods
     * in order, so the last one's answer proves them all, and a refused one fails it (the broker
     * closes the channel).
     */
    private void bind(List<Join> batch) throws IOException {
        Channel direct = InboxTopology.unrecorded(channel());
        Set<String> unbound = new LinkedHashSet<>();
        for (Join join : batch) {
            if (!bound.containsKey(join.userId())) {
                unbound.add(join.userId());
            }
        }
        int left = unbound.size();
        for (String userId : unbound) {
            if (--left > 0) {
                direct.queueBindNoWait(queueName(nodeId), settings.presenceExchange(), userId, null);
            } else {
                direct.queueBind(queueName(nodeId), settings.presenceExchange(), userId);
            }
        }
        batch.forEach(join -> bound.put(join.userId(), join.stay()));
    }

    /**
     * The user's last connection here left, ending {@code stay}: unbound, and the others told
     * {@code bye}. Nothing when a newer stay joined since (the user came back at once, on a lane of
     * its own that ran first): the node still has a connection of the user.
     */
    public void leave(String userId, Object stay) {
        binder.execute(() -> {
            bindJoining(); // a join queued before this leave is bound first, as its stay may be this one
            if (!bound.remove(userId, stay)) {
                return;
            }
            Channel channel = consuming;
            if (channel != null && channel.isOpen()) {
                try {
                    InboxTopology.unrecorded(channel).queueUnbind(queueName(nodeId), settings.presenceExchange(), userId);
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.FINE, e, () -> "Unbinding the node queue for a user failed; the binding goes with"
                            + " the queue");
                    dropChannel();
                }
            }
            publish(settings.presenceExchange(), userId, BYE, userId, null, null);
        });
    }

    /** Tells {@code node}, which said hello, that this node has connections of the user too. */
    public void here(String node, String userId) {
        publish(node, HERE, userId, null, null);
    }

    /** A copy of a delivery this node holds, for {@code node}'s connections of the user. */
    public void copy(String node, String userId, String messageId, String frame) {
        publish(node, COPY, userId, messageId, frame);
    }

    /** A device here acked a copy: the holder settles it. Unconfirmed: lost, the message comes again. */
    public void ack(String node, String userId, String messageId) {
        publish(node, ACK, userId, messageId, null);
    }

    /**
     * To {@code node}'s queue directly, mandatory: a node gone without a word (SIGKILL) took its
     * queue with it, and the notice comes back ({@link #returned}).
     */
    private void publish(String node, String type, String userId, String messageId, String body) {
        publish("", queueName(node), type, userId, messageId, body);
    }

    /** The notices dropped because too many waited to be written (a broker alarm), since the start. */
    public int dropped() {
        return dropped.get();
    }

    private String queueName(String node) {
        return settings.nodePrefix() + node;
    }

    /** A new broker connection: this node's queue went with the old one; declared again with its bindings. */
    void onConnected(@Observes BrokerConnected connected) {
        if (!enabled()) {
            return;
        }
        binder.execute(() -> {
            dropChannel();
            if (bound.isEmpty()) {
                return;
            }
            try {
                channel();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, e, () -> "Cannot declare the node queue again: devices on other nodes miss"
                        + " live copies until the next connection");
                dropChannel();
            }
        });
    }

    /** On the binder: the open consuming channel, with this node's queue declared, bound and consumed. */
    private Channel channel() throws IOException {
        if (consuming != null && consuming.isOpen()) {
            return consuming;
        }
        dropChannel();
        Channel channel = broker.openChannel();
        consuming = channel;
        Channel direct = InboxTopology.unrecorded(channel);
        String queue = queueName(nodeId);
        // durable: kept by a broker restart like the chat exchange; it holds only bindings to transient queues
        direct.exchangeDeclare(settings.presenceExchange(), BuiltinExchangeType.DIRECT, true);
        // not auto-delete: a new channel (a failed unbind, a recovered publishing connection) finds the queue
        // as it was, and notices to it meanwhile wait there rather than come back as gone
        direct.queueDeclare(queue, false, true, false, broker.features().supported(Map.of("x-max-length", 50_000)));
        for (String userId : bound.keySet()) {
            // without a reply: the answer to basic.qos below proves them (the broker orders a channel's methods)
            direct.queueBindNoWait(queue, settings.presenceExchange(), userId, null);
        }
        // acked once handled: what the lanes have not taken yet waits at the broker, not here
        direct.basicQos(PREFETCH, false);
        direct.basicConsume(queue, false, new DefaultConsumer(direct) {
            @Override
            public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                    byte[] body) {
                deliver(getChannel(), envelope.getDeliveryTag(), properties, body);
            }
        });
        consumer = direct;
        LOG.info(() -> "Node " + nodeId + " receives the other nodes' notices on " + queue);
        return channel;
    }

    /** On the binder: the channel is given up, and with it the tags of what it delivered (the broker takes them back). */
    private void dropChannel() {
        Channel channel = consuming;
        consuming = null;
        consumer = null;
        unsettled.clear();
        handled.clear();
        if (channel != null) {
            try {
                channel.abort();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "Aborting the node notices' channel failed", e);
            }
        }
    }

    /**
     * On the client library's thread: only read and handed over. The notice's tag is recorded on
     * the binder before the listener has it, so before its ack.
     */
    private void deliver(Channel channel, long tag, AMQP.BasicProperties properties, byte[] body) {
        binder.execute(() -> track(channel, tag));
        Runnable settle = () -> binder.execute(() -> settle(channel, tag));
        Map<String, Object> headers = properties.getHeaders() == null ? Map.of() : properties.getHeaders();
        String from = text(headers.get("node"));
        String userId = text(headers.get("user"));
        if (from == null || userId == null || from.equals(nodeId)) {
            settle.run(); // its own hello and bye come back through its binding
            return;
        }
        listener.onNotice(new NodeNotice(properties.getType(), userId, from, text(headers.get("message")),
                body.length == 0 ? null : new String(body, StandardCharsets.UTF_8)), settle);
    }

    /** On the binder. */
    private void track(Channel channel, long tag) {
        if (channel == consumer) {
            unsettled.add(tag);
        } // else delivered on a channel given up since: the broker took it back
    }

    /** On the binder: the notice was handled; acked with the others handled meanwhile, after the tasks queued now. */
    private void settle(Channel channel, long tag) {
        if (channel != consumer || !unsettled.remove(tag)) {
            return; // its channel was given up, or it was settled already
        }
        handled.add(tag);
        if (!flushQueued) {
            flushQueued = true;
            binder.execute(this::flushAcks);
        }
    }

    /** On the binder. */
    private void flushAcks() {
        flushQueued = false;
        if (handled.isEmpty()) {
            return;
        }
        try {
            if (consumer.isOpen()) {
                Acks.write(consumer, handled, unsettled.isEmpty() ? Long.MAX_VALUE : unsettled.first());
            } // else the broker took them back with the channel
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, e, () -> "Acking " + handled.size() + " node notices failed; the broker takes them"
                    + " back with the channel");
        } finally {
            handled.clear();
        }
    }

    private static String text(Object header) {
        return header == null ? null : header.toString();
    }

    /**
     * On the client library's thread: a notice to a node came back, so that node's queue is gone
     * (its connection with it). Heard as a {@link #GONE} from that node about the notice's user,
     * whose lane forgets the node as if it had said bye; only handed over.
     */
    private void returned(Return returned) {
        String prefix = settings.nodePrefix();
        Map<String, Object> headers = returned.getProperties().getHeaders();
        String userId = headers == null ? null : text(headers.get("user"));
        if (returned.getReplyCode() != AMQP.NO_ROUTE || !returned.getExchange().isEmpty()
                || !returned.getRoutingKey().startsWith(prefix) || userId == null) {
            return;
        }
        String node = returned.getRoutingKey().substring(prefix.length());
        LOG.fine(() -> "A node notice to " + node + " came back: its queue is gone, it is no peer of "
                + LogText.of(userId) + " any more");
        listener.onNotice(new NodeNotice(GONE, userId, node, null, null), () -> { });
    }

    /** Hands the notice to the writer, unless too many wait. Any thread. */
    private void publish(String exchange, String routingKey, String type, String userId, String messageId,
            String body) {
        if (unwritten.incrementAndGet() > MAX_UNWRITTEN) {
            unwritten.decrementAndGet();
            if (dropped.incrementAndGet() % 1_000 == 1) {
                LOG.warning(() -> "Dropped " + dropped.get() + " node notices since the start: too many waited to be"
                        + " written (a broker alarm?); devices on other nodes get those messages when they come again");
            }
            return;
        }
        Map<String, Object> headers = new HashMap<>(4);
        headers.put("node", nodeId);
        headers.put("user", userId);
        if (messageId != null) {
            headers.put("message", messageId);
        }
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().type(type).headers(headers)
                .deliveryMode(1).build();
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        writer.execute(() -> {
            try {
                write(exchange, routingKey, exchange.isEmpty(), properties, bytes);
            } finally {
                unwritten.decrementAndGet();
            }
        });
    }

    /** On the writer. */
    private void write(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties properties,
            byte[] body) {
        try {
            if (publishing == null || !publishing.isOpen()) {
                publishing = broker.openPublishChannel();
                publishing.addReturnListener(this::returned);
            }
            publishing.basicPublish(exchange, routingKey, mandatory, properties, body);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, e, () -> "A node notice was not written");
            Channel lost = publishing;
            publishing = null;
            if (lost != null) {
                try {
                    lost.abort();
                } catch (IOException | RuntimeException abortFailed) {
                    LOG.log(Level.FINEST, "Aborting a lost channel failed", abortFailed);
                }
            }
        }
    }
}
