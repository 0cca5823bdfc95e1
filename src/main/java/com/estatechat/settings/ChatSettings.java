package com.estatechat.settings;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The {@code chat.*} settings read once at start (the broker, inboxes, frame and queue sizes),
 * checked then; the ones an operator may change on a running server are {@link LiveSettings}.
 * A bad value stops the deployment with a log line naming the key: a misconfigured server should
 * not quietly run on defaults. Defaults live in {@code META-INF/microprofile-config.properties}.
 */
@ApplicationScoped
public class ChatSettings {

    private static final Logger LOG = Logger.getLogger(ChatSettings.class.getName());

    /** RabbitMQ's default {@code consumer_timeout}: past it, the broker closes a channel holding an unacked delivery. */
    static final Duration BROKER_CONSUMER_TIMEOUT = Duration.ofMinutes(30);
    /** The longest {@code chat.session.drain-window}: a stop has an orchestrator's grace period for all its steps. */
    static final Duration MAX_DRAIN_WINDOW = Duration.ofSeconds(10);

    /** The shipped default; also what a settings object made by hand (a test's) gives. */
    private static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(30);
    /** AMQP 0-9-1 carries the heartbeat as an unsigned short. */
    private static final int MAX_HEARTBEAT_SECONDS = 65_535;

    /** The AMQP queue types the inboxes can use. */
    public enum QueueType { CLASSIC, QUORUM }

    @Inject
    @ConfigProperty(name = "chat.amqp.url")
    String amqpUrl;

    /** Broker nodes (a cluster) to connect to instead of the URL's host; absent: the URL's host. */
    @Inject
    @ConfigProperty(name = "chat.amqp.addresses")
    Optional<String> amqpAddresses = Optional.empty();

    @Inject
    @ConfigProperty(name = "chat.amqp.exchange")
    String exchange;

    @Inject
    @ConfigProperty(name = "chat.amqp.inbox-prefix")
    String inboxPrefix;

    @Inject
    @ConfigProperty(name = "chat.amqp.dead-letter-exchange")
    String deadLetterExchange;

    @Inject
    @ConfigProperty(name = "chat.cluster.fan-out")
    String fanOut = "true";

    @Inject
    @ConfigProperty(name = "chat.cluster.presence-exchange")
    String presenceExchange = "chat.presence";

    @Inject
    @ConfigProperty(name = "chat.cluster.node-prefix")
    String nodePrefix = "chat.node.";

    private boolean fanOutValue = true;

    @Inject
    @ConfigProperty(name = "chat.amqp.publisher-channels")
    int publisherChannels;

    @Inject
    @ConfigProperty(name = "chat.amqp.channels-per-connection")
    int channelsPerConnection;

    @Inject
    @ConfigProperty(name = "chat.amqp.consumers-per-channel")
    int consumersPerChannel;

    @Inject
    @ConfigProperty(name = "chat.amqp.confirm-timeout")
    String confirmTimeout;

    @Inject
    @ConfigProperty(name = "chat.amqp.reconnect-interval")
    String reconnectInterval;

    @Inject
    @ConfigProperty(name = "chat.amqp.heartbeat")
    String heartbeat;

    @Inject
    @ConfigProperty(name = "chat.delivery.prefetch")
    int prefetch;

    @Inject
    @ConfigProperty(name = "chat.delivery.persistent-receipts")
    String persistentReceipts;

    @Inject
    @ConfigProperty(name = "chat.delivery.max-receipts-per-message")
    int maxReceiptsPerMessage;

    @Inject
    @ConfigProperty(name = "chat.delivery.ack-timeout")
    String ackTimeout;

    @Inject
    @ConfigProperty(name = "chat.mqtt.connect-timeout")
    String mqttConnectTimeout;

    @Inject
    @ConfigProperty(name = "chat.session.drain-window")
    String drainWindow;

    @Inject
    @ConfigProperty(name = "chat.amqp.queue-type")
    String queueType;

    /** The key's earlier name: refused by name, so that a stale setting is not silently ignored. */
    @Inject
    @ConfigProperty(name = "chat.inbox.queue-type")
    Optional<String> renamedQueueType = Optional.empty();

    @Inject
    @ConfigProperty(name = "chat.amqp.dead-letter-ttl")
    String deadLetterTtl;

    @Inject
    @ConfigProperty(name = "chat.inbox.max-length")
    long inboxMaxLength;

    @Inject
    @ConfigProperty(name = "chat.inbox.max-per-sender")
    int inboxMaxPerSender;

    @Inject
    @ConfigProperty(name = "chat.inbox.message-ttl")
    String inboxMessageTtl;

    @Inject
    @ConfigProperty(name = "chat.inbox.expires")
    String inboxExpires;

    @Inject
    @ConfigProperty(name = "chat.max-frame-bytes")
    int maxFrameBytes;

    @Inject
    @ConfigProperty(name = "chat.session.send-queue-limit")
    int sendQueueLimit;

    @Inject
    @ConfigProperty(name = "chat.session.send-queue-bytes")
    int sendQueueBytes;

    private List<String> amqpAddressesValue = List.of();
    private Duration confirmTimeoutValue;
    private Duration reconnectIntervalValue;
    private Duration heartbeatValue = DEFAULT_HEARTBEAT;
    private Duration ackTimeoutValue;
    private Duration mqttConnectTimeoutValue;
    private Duration drainWindowValue = Duration.ZERO;
    private Duration inboxMessageTtlValue;
    private Duration deadLetterTtlValue = Duration.ZERO;
    private Duration inboxExpiresValue;
    private QueueType queueTypeValue;
    private boolean persistentReceiptsValue;

    @PostConstruct
    void check() {
        List<String> problems = new ArrayList<>();
        if (!embeddedBroker()) {
            requireUri(problems, "chat.amqp.url", amqpUrl);
        }
        amqpAddressesValue = amqpAddresses.map(list -> addresses(problems, list)).orElse(List.of());
        requireName(problems, "chat.amqp.exchange", exchange);
        requireName(problems, "chat.amqp.inbox-prefix", inboxPrefix);
        requireName(problems, "chat.amqp.dead-letter-exchange", deadLetterExchange);
        requireName(problems, "chat.cluster.presence-exchange", presenceExchange);
        requireName(problems, "chat.cluster.node-prefix", nodePrefix);
        fanOutValue = strictBoolean(problems, "chat.cluster.fan-out", fanOut);
        requireRange(problems, "chat.amqp.publisher-channels", publisherChannels, 1, 64);
        requireRange(problems, "chat.amqp.channels-per-connection", channelsPerConnection, publisherChannels + 1,
                65_535);
        requireRange(problems, "chat.amqp.consumers-per-channel", consumersPerChannel, 1, 1_000);
        confirmTimeoutValue = Durations.setting(problems, "chat.amqp.confirm-timeout", confirmTimeout, Duration.ofMillis(100));
        reconnectIntervalValue = Durations.setting(problems, "chat.amqp.reconnect-interval", reconnectInterval, Duration.ofMillis(100));
        heartbeatValue = Durations.setting(problems, "chat.amqp.heartbeat", heartbeat, Duration.ofSeconds(1));
        if (heartbeatValue != null && (heartbeatValue.toMillis() % 1000 != 0 || heartbeatValue.getSeconds() > MAX_HEARTBEAT_SECONDS)) {
            problems.add("chat.amqp.heartbeat is " + heartbeat + "; AMQP counts it in whole seconds, at most "
                    + MAX_HEARTBEAT_SECONDS + "s");
        }
        requireRange(problems, "chat.delivery.prefetch", prefetch, 1, 65_535);
        persistentReceiptsValue = strictBoolean(problems, "chat.delivery.persistent-receipts", persistentReceipts);
        requireRange(problems, "chat.delivery.max-receipts-per-message", maxReceiptsPerMessage, 1, 1_000);
        ackTimeoutValue = Durations.setting(problems, "chat.delivery.ack-timeout", ackTimeout, Duration.ofSeconds(1));
        mqttConnectTimeoutValue = Durations.setting(problems, "chat.mqtt.connect-timeout", mqttConnectTimeout,
                Duration.ofMillis(100));
        if (ackTimeoutValue != null && ackTimeoutValue.compareTo(BROKER_CONSUMER_TIMEOUT) >= 0) {
            // the broker may have a longer consumer_timeout: a warning, not a refusal
            LOG.warning(() -> "chat.delivery.ack-timeout is " + ackTimeout + ", not below RabbitMQ's default"
                    + " consumer_timeout (30m): unless the broker's is longer, a client that never acks makes the broker"
                    + " close a consumer channel shared by other users (docs/operations.md)");
        }
        queueTypeValue = queueType(problems);
        renamedQueueType.ifPresent(old -> problems.add("chat.inbox.queue-type (" + old
                + ") was renamed chat.amqp.queue-type: set that key instead"));
        drainWindowValue = Durations.setting(problems, "chat.session.drain-window", drainWindow, Duration.ZERO);
        if (drainWindowValue != null && drainWindowValue.compareTo(MAX_DRAIN_WINDOW) > 0) {
            // the stop must fit an orchestrator's grace period (Kubernetes: 30 s), with the other steps
            problems.add("chat.session.drain-window is " + drainWindow + "; it must be at most "
                    + MAX_DRAIN_WINDOW.toSeconds() + "s");
        }
        requireRange(problems, "chat.inbox.max-length", inboxMaxLength, 0, Integer.MAX_VALUE);
        requireRange(problems, "chat.inbox.max-per-sender", inboxMaxPerSender, 0, Integer.MAX_VALUE);
        inboxMessageTtlValue = Durations.setting(problems, "chat.inbox.message-ttl", inboxMessageTtl, Duration.ZERO);
        inboxExpiresValue = Durations.setting(problems, "chat.inbox.expires", inboxExpires, Duration.ZERO);
        deadLetterTtlValue = Durations.setting(problems, "chat.amqp.dead-letter-ttl", deadLetterTtl, Duration.ZERO);
        requireRange(problems, "chat.max-frame-bytes", maxFrameBytes, 256, 16 * 1024 * 1024);
        requireRange(problems, "chat.session.send-queue-limit", sendQueueLimit, 1, 1_000_000);
        if ((long) prefetch * maxReceiptsPerMessage > sendQueueLimit) {
            // a reconnecting sender gets a whole prefetch of receipt messages at once: its frames must fit the queue
            problems.add("chat.delivery.prefetch (" + prefetch + ") times chat.delivery.max-receipts-per-message ("
                    + maxReceiptsPerMessage + ") is more than chat.session.send-queue-limit (" + sendQueueLimit
                    + "): a prefetch of receipt messages would not fit a connection's send queue");
        }
        // a frame the server writes is about one client frame plus its fields, at two bytes a character
        requireRange(problems, "chat.session.send-queue-bytes", sendQueueBytes, 4L * maxFrameBytes, 1L << 30);
        if (!problems.isEmpty()) {
            problems.forEach(problem -> LOG.severe(() -> "Invalid configuration: " + problem));
            throw new IllegalStateException("Invalid configuration: " + String.join("; ", problems));
        }
    }

    private static void requireUri(List<String> problems, String key, String value) {
        try {
            URI uri = new URI(value);
            if (!"amqp".equals(uri.getScheme()) && !"amqps".equals(uri.getScheme())) {
                problems.add(key + " must be an amqp:// or amqps:// URL");
            }
        } catch (Exception e) {
            // the value may carry a password: name the key, never echo the value
            problems.add(key + " is not a valid URL");
        }
    }

    /** {@code host}, {@code host:port} or {@code [IPv6]:port}. */
    private static final Pattern ADDRESS = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+)(?::([0-9]{1,5}))?");

    /** The entries of a comma-separated host:port list; a bad one is named by its position, never echoed. */
    private static List<String> addresses(List<String> problems, String list) {
        List<String> addresses = new ArrayList<>();
        String[] entries = list.split(",", -1);
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].trim();
            Matcher address = ADDRESS.matcher(entry);
            if (!address.matches()) {
                // someone may paste a URL with a password here
                problems.add("chat.amqp.addresses: entry " + (i + 1) + " is not host or host:port (user, password"
                        + " and virtual host belong in chat.amqp.url)");
            } else if (address.group(2) != null && (Integer.parseInt(address.group(2)) < 1
                    || Integer.parseInt(address.group(2)) > 65_535)) {
                problems.add("chat.amqp.addresses: entry " + (i + 1) + " has port " + address.group(2)
                        + "; it must lie between 1 and 65535");
            } else {
                addresses.add(entry);
            }
        }
        return List.copyOf(addresses);
    }

    private static void requireName(List<String> problems, String key, String value) {
        if (value == null || value.isBlank() || value.length() > 200) {
            problems.add(key + " must be a non-empty AMQP name of at most 200 characters");
        }
    }

    private static void requireRange(List<String> problems, String key, long value, long min, long max) {
        if (value < min || value > max) {
            problems.add(key + " is " + value + "; it must lie between " + min + " and " + max);
        }
    }

    /** MicroProfile Config reads any unknown word as false: a typo would turn a safety off unseen. */
    private static boolean strictBoolean(List<String> problems, String key, String value) {
        String word = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (!word.equals("true") && !word.equals("false")) {
            problems.add(key + " is '" + value + "'; it must be true or false");
        }
        return word.equals("true");
    }

    private QueueType queueType(List<String> problems) {
        try {
            return QueueType.valueOf(queueType.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add("chat.amqp.queue-type is '" + queueType + "'; it must be classic or quorum");
            return null;
        }
    }

    public String amqpUrl() { return amqpUrl; }
    /**
     * The broker nodes ({@code host} or {@code host:port}) each connection tries in turn, in random
     * order; empty: {@link #amqpUrl()}'s host. User, password, virtual host and TLS come from the URL.
     */
    public List<String> amqpAddresses() { return amqpAddressesValue; }
    /** {@code chat.amqp.url=embedded}: the development launcher's broker, which the WAR alone never has. */
    public boolean embeddedBroker() { return "embedded".equals(amqpUrl.trim()); }
    public String exchange() { return exchange; }
    public String inboxPrefix() { return inboxPrefix; }
    public String deadLetterExchange() { return deadLetterExchange; }
    /** Whether every node a user is connected to gets the user's deliveries (false: sticky routing only). */
    public boolean fanOut() { return fanOutValue; }
    public String presenceExchange() { return presenceExchange; }
    public String nodePrefix() { return nodePrefix; }
    public int publisherChannels() { return publisherChannels; }

    public int consumersPerChannel() { return consumersPerChannel; }
    public int channelsPerConnection() { return channelsPerConnection; }
    public Duration confirmTimeout() { return confirmTimeoutValue; }
    public Duration reconnectInterval() { return reconnectIntervalValue; }
    /** What the server asks the broker for: the broker takes the lower of its own and this. */
    public Duration heartbeat() { return heartbeatValue; }
    public int prefetch() { return prefetch; }
    /**
     * Whether {@code delivered} and {@code read} receipts are persistent broker messages (they
     * survive a broker restart) or transient ones (cheaper for the broker; after a restart the
     * sender finds the status in the conversation store).
     */
    public boolean persistentReceipts() { return persistentReceiptsValue; }
    /**
     * The most {@code delivered} and {@code read} receipts to one sender that travel in one broker
     * message; 1: each in its own (as a version before 2026-12 expects: see ReceiptCoalescer).
     */
    public int maxReceiptsPerMessage() { return maxReceiptsPerMessage; }
    /**
     * How long a connection may hold a delivery unacked before the server closes it (1008), so that
     * the broker's {@code consumer_timeout} never closes a consumer channel other users share.
     */
    public Duration ackTimeout() { return ackTimeoutValue; }

    /** How long a {@code /mqtt} socket may stay open before its CONNECT is accepted. */
    public Duration mqttConnectTimeout() { return mqttConnectTimeoutValue; }
    /**
     * How long a shutdown keeps reading after it told each connection {@code going_away}, answering
     * every send that crosses that notice; zero: no notice, close once the sends taken are answered.
     */
    public Duration drainWindow() { return drainWindowValue; }
    public QueueType queueType() { return queueTypeValue; }
    public long inboxMaxLength() { return inboxMaxLength; }
    /**
     * The most direct messages of one sender that may wait, not yet received, in one recipient's
     * inbox (as the sender's node counts them); 0: no share, only {@link #inboxMaxLength()}.
     */
    public int inboxMaxPerSender() { return inboxMaxPerSender; }
    public Duration inboxMessageTtl() { return inboxMessageTtlValue; }
    /** How long a dead letter is kept ({@code chat.amqp.dead-letter-ttl}); zero: for ever. */
    public Duration deadLetterTtl() { return deadLetterTtlValue; }
    /** How long an inbox may go unused (no consumer, no declare) before the broker deletes it; zero: never. */
    public Duration inboxExpires() { return inboxExpiresValue; }
    public int maxFrameBytes() { return maxFrameBytes; }
    public int sendQueueLimit() { return sendQueueLimit; }
    /** The most a connection may hold unwritten, counted as the heap its text takes (two bytes a character). */
    public int sendQueueBytes() { return sendQueueBytes; }
}
