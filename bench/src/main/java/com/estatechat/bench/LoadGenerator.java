package com.estatechat.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.ScheduledExecutorPingSender;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Drives the chat server over N WebSocket connections (users {@code <prefix>0..N-1}): {@code /ws}
 * with the JDK's client, or with {@code transport mqtt} MQTT 3.1.1 on {@code /mqtt} with Eclipse Paho
 * 1.2.5 (CONNECT's user name is the user id, SUBSCRIBE {@code chat/in/<id>} at QoS 1, PUBLISH the
 * message frame at QoS 1 to {@code chat/out}; each arriving PUBLISH carries a {@code /ws} frame and is
 * PUBACKed, by hand, once recorded: a message's PUBACK is its ack). Mode
 * {@code load}: each connection sends message frames to the next user, either at a fixed total
 * rate (open loop, latency from the intended send time) or as fast as the server answers (closed
 * loop: at most {@code window} messages per connection not yet {@code delivered}); every received
 * message is acked. It records send→receive, send→queued and send→delivered latency, counts
 * receipts and errors by code, and at the end counts lost messages: accepted ({@code queued}) but
 * never received. Mode {@code idle}: opens the connections, holds them, and closes them. Mode
 * {@code storm}: opens all connections at once and records, for each, the time from the start of
 * the storm until its {@code connected} frame. With {@code cpu-pids name:pid,...} it reports each
 * process's CPU time per message over the measurement window (per connection in a storm).
 * With {@code devices D} a user has D connections (connection k is device k % D of user k / D, and
 * each message goes to the next user): every device should get every message, the first arrival
 * counts as received, and a message some device never got is counted in {@code fanout_missing}.
 * With {@code urls} (one per node, comma separated) the connections go to several nodes:
 * {@code routing round-robin} connection k to node k % nodes, {@code sticky} all of a user's
 * connections to one node, by a hash of its id.
 * Every phase is bounded in time, and the number of messages by {@code max-messages}.
 */
public final class LoadGenerator {

    private final Map<String, String> options;
    private final int connections;
    private final int devices;
    private final int users;
    private final String prefix;
    private final int size;
    private final int maxMessages;
    private final long[] sentAt;
    private final ConcurrentBits received;
    /** per device of a user: the messages that device got (a user's first arrival is in received) */
    private final ConcurrentBits[] receivedByDevice;
    /** the connection that sent each message: its delivered receipt, on any device, lets it send the next */
    private final int[] senderOf;
    private final ConcurrentBits queued;
    private final ConcurrentBits delivered;
    private final ConcurrentBits refused;
    private final Recorder endToEnd = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
    private final Recorder toEveryDevice = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
    private final Recorder queuedLatency = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
    private final Recorder deliveredLatency = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
    private final Recorder greetLatency = new Recorder(TimeUnit.SECONDS.toMicros(600), 3);
    private final Recorder handshakeToGreet = new Recorder(TimeUnit.SECONDS.toMicros(600), 3);
    private final Map<String, Long> cpuPids;
    private final long ticksPerSecond;
    private volatile long connectStart;
    private final LongAdder sent = new LongAdder();
    private final LongAdder receivedCount = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder deviceArrivals = new LongAdder();
    private final LongAdder queuedCount = new LongAdder();
    private final LongAdder deliveredCount = new LongAdder();
    private final LongAdder refusedCount = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder receivedInWindow = new LongAdder();
    private final LongAdder deliveredInWindow = new LongAdder();
    private final AtomicLong sequence = new AtomicLong();
    private final Peer[] peers;
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MAX_VALUE;
    private volatile boolean sending = true;
    private CountDownLatch greeted;
    private int window;
    private final String runTag = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    private LoadGenerator(Map<String, String> options) {
        this.options = options;
        this.connections = intOption("connections", 100);
        this.devices = intOption("devices", 1);
        if (devices < 1 || connections % devices != 0) {
            throw new IllegalArgumentException("connections must be a multiple of devices");
        }
        this.users = connections / devices;
        this.prefix = options.getOrDefault("prefix", "bench");
        this.size = intOption("size", 200);
        this.maxMessages = intOption("max-messages", 5_000_000);
        this.sentAt = new long[maxMessages];
        this.received = new ConcurrentBits(maxMessages);
        this.receivedByDevice = new ConcurrentBits[devices];
        for (int d = 0; d < devices; d++) {
            receivedByDevice[d] = new ConcurrentBits(maxMessages);
        }
        this.senderOf = new int[maxMessages];
        this.queued = new ConcurrentBits(maxMessages);
        this.delivered = new ConcurrentBits(maxMessages);
        this.refused = new ConcurrentBits(maxMessages);
        this.peers = new Peer[connections];
        this.cpuPids = CpuSnapshot.parsePids(options.get("cpu-pids"));
        this.ticksPerSecond = Long.parseLong(options.getOrDefault("clock-ticks", "100"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        // a watchdog: whatever happens, the generator ends
        long limit = Long.parseLong(options.getOrDefault("max-seconds", "900"));
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(limit));
                System.err.println("max-seconds reached: exiting");
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        LoadGenerator generator = new LoadGenerator(options);
        Map<String, Object> result = generator.run();
        StringBuilder out = new StringBuilder();
        result.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        System.out.print(out);
        String file = options.get("out");
        if (file != null) {
            Files.writeString(Path.of(file), out);
        }
        System.exit(0);
    }

    private int intOption(String name, int otherwise) {
        return Integer.parseInt(options.getOrDefault(name, String.valueOf(otherwise)));
    }

    private Map<String, Object> run() throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        String mode = options.getOrDefault("mode", "load");
        result.put("mode", mode);
        CpuSnapshot beforeConnecting = CpuSnapshot.take(cpuPids);
        connectStart = System.nanoTime();
        int opened = connectAll(result);
        result.put("connect_seconds", String.format(Locale.ROOT, "%.1f", (System.nanoTime() - connectStart) / 1e9));
        result.put("connections_open", opened);
        long greetWait = TimeUnit.SECONDS.toMillis(Long.parseLong(options.getOrDefault("greet-timeout", "120")));
        greeted.await(greetWait, TimeUnit.MILLISECONDS);
        long greetedCount = connections - greeted.getCount();
        result.put("connections_greeted", greetedCount);
        if ("storm".equals(mode)) {
            CpuSnapshot.take(cpuPids).putSince(beforeConnecting, greetedCount, "connection", ticksPerSecond, result);
            storm(result, greetedCount);
        } else if ("idle".equals(mode)) {
            hold(result);
        } else {
            load(result);
        }
        closeAll();
        return result;
    }

    // ---- connecting

    private int connectAll(Map<String, Object> result) throws InterruptedException {
        // one base URL per node (urls), else url
        List<URI> nodes = new ArrayList<>();
        for (String url : options.getOrDefault("urls", options.getOrDefault("url", "ws://127.0.0.1:8181/ws")).split(",")) {
            nodes.add(URI.create(url.trim()));
        }
        boolean sticky = "sticky".equals(options.getOrDefault("routing", "round-robin"));
        int[] perNode = new int[nodes.size()];
        int addresses = intOption("addresses", 1);
        Opener opener = "mqtt".equals(options.getOrDefault("transport", "ws")) ? mqttOpener() : wsOpener();
        greeted = new CountDownLatch(connections);
        // a storm starts every handshake at once
        Semaphore handshakes = new Semaphore(intOption("connect-parallel",
                "storm".equals(options.get("mode")) ? connections : 64));
        LongAdder failures = new LongAdder();
        Map<String, LongAdder> why = new ConcurrentHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(
                options.getOrDefault("connect-timeout", "180")));
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (int k = 0; k < connections && System.nanoTime() < deadline; k++) {
            if (!handshakes.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            // only loopback: 127.0.0.1 .. 127.0.0.<addresses>; the server listens on all of them
            String host = "127.0.0." + (1 + k % addresses);
            int node = sticky ? Math.floorMod(mix(user(k).hashCode()), nodes.size()) : k % nodes.size();
            perNode[node]++;
            URI base = nodes.get(node);
            URI uri = URI.create("ws://" + host + ":" + base.getPort() + base.getPath());
            CompletableFuture<?> future = opener.open(k, uri)
                    .whenComplete((opened, failure) -> {
                        handshakes.release();
                        if (failure != null) {
                            failures.increment();
                            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                            why.computeIfAbsent(cause.getClass().getSimpleName() + ":" + cause.getMessage(),
                                    x -> new LongAdder()).increment();
                        }
                    });
            pending.add(future);
        }
        int opened = 0;
        for (CompletableFuture<?> future : pending) {
            try {
                future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                opened++;
            } catch (Exception e) {
                // counted in failures
            }
        }
        result.put("users", users);
        result.put("devices", devices);
        for (int n = 0; n < perNode.length; n++) {
            result.put("node" + (n + 1) + "_connections", perNode[n]);
        }
        result.put("connect_failures", failures.sum());
        why.entrySet().stream().limit(3).forEach(e -> result.put("connect_failure_reason",
                e.getKey().replace('\n', ' ') + " x" + e.getValue().sum()));
        return opened;
    }

    /** The user connection k belongs to (it is that user's device k % devices). */
    private String user(int k) {
        return prefix + (k / devices);
    }

    /** Spreads the bits of a String hash (consecutive ids differ in their low bits only). */
    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    /** Opens connection k to a loopback address (the server's path in uri): its peer is in peers[k]. */
    private interface Opener {
        CompletableFuture<?> open(int k, URI uri);
    }

    private Opener wsOpener() {
        int clientCount = intOption("clients", 4);
        List<HttpClient> clients = new ArrayList<>();
        for (int i = 0; i < clientCount; i++) {
            ExecutorService callbacks = Executors.newFixedThreadPool(2, daemon("ws-" + i));
            clients.add(HttpClient.newBuilder().executor(callbacks).connectTimeout(Duration.ofSeconds(20)).build());
        }
        return (k, uri) -> {
            WsPeer peer = new WsPeer(k);
            peers[k] = peer;
            return clients.get(k % clientCount).newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(20))
                    .buildAsync(URI.create(uri + "?id=" + user(k)), peer);
        };
    }

    private Opener mqttOpener() {
        // Paho gives each client its own reading, writing and callback threads; keep-alive pings share one
        ScheduledExecutorService pings = Executors.newSingleThreadScheduledExecutor(daemon("mqtt-ping"));
        return (k, uri) -> {
            try {
                MqttPeer peer = new MqttPeer(k, uri, pings);
                peers[k] = peer;
                return peer.connect();
            } catch (MqttException e) {
                return CompletableFuture.failedFuture(e);
            }
        };
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicLong n = new AtomicLong();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private void closeAll() {
        for (Peer peer : peers) {
            if (peer != null) {
                peer.abort();
            }
        }
    }

    // ---- storm

    private void storm(Map<String, Object> result, long greetedCount) {
        Histogram fromStart = greetLatency.getIntervalHistogram();
        Histogram fromOwnAttempt = handshakeToGreet.getIntervalHistogram();
        // the time from the storm's start (every handshake begun at once) to each connected frame
        result.put("storm_connections", connections);
        result.put("storm_greeted", greetedCount);
        for (double p : new double[] {50, 90, 99}) {
            result.put("storm_p" + (int) p + "_ms",
                    String.format(Locale.ROOT, "%.0f", fromStart.getValueAtPercentile(p) / 1000.0));
        }
        // all greeted: the time until the last one; otherwise the figure says how many were missing
        result.put("storm_all_ms", greetedCount == connections
                ? String.format(Locale.ROOT, "%.0f", fromStart.getMaxValue() / 1000.0)
                : "not all: " + (connections - greetedCount) + " missing");
        result.put("storm_own_attempt_p50_ms",
                String.format(Locale.ROOT, "%.0f", fromOwnAttempt.getValueAtPercentile(50) / 1000.0));
        result.put("storm_own_attempt_p99_ms",
                String.format(Locale.ROOT, "%.0f", fromOwnAttempt.getValueAtPercentile(99) / 1000.0));
    }

    // ---- idle

    private void hold(Map<String, Object> result) throws Exception {
        String ready = options.get("ready-file");
        if (ready != null) {
            Files.writeString(Path.of(ready), "greeted=" + (connections - greeted.getCount()) + "\n");
        }
        System.out.println("READY " + (connections - greeted.getCount()));
        System.out.flush();
        long holdSeconds = Long.parseLong(options.getOrDefault("hold", "30"));
        Path stop = options.containsKey("stop-file") ? Path.of(options.get("stop-file")) : null;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(holdSeconds);
        while (System.nanoTime() < until && (stop == null || !Files.exists(stop))) {
            Thread.sleep(200);
        }
        long closedEarly = 0;
        for (Peer peer : peers) {
            if (peer != null && peer.opened && peer.closed()) {
                closedEarly++;
            }
        }
        result.put("closed_during_hold", closedEarly);
    }

    // ---- load

    private void load(Map<String, Object> result) throws Exception {
        double rate = Double.parseDouble(options.getOrDefault("rate", "0"));
        window = rate > 0 ? 0 : intOption("window", 4);
        long warmup = TimeUnit.SECONDS.toNanos(Long.parseLong(options.getOrDefault("warmup", "5")));
        long duration = TimeUnit.SECONDS.toNanos(Long.parseLong(options.getOrDefault("duration", "20")));
        long drain = TimeUnit.SECONDS.toNanos(Long.parseLong(options.getOrDefault("drain", "30")));
        long start = System.nanoTime();
        windowStart = start + warmup;
        windowEnd = windowStart + duration;
        CpuSnapshot[] cpu = new CpuSnapshot[2];
        Thread cpuClock = new Thread(() -> {
            try {
                sleepUntil(windowStart);
                cpu[0] = CpuSnapshot.take(cpuPids);
                // a profiler outside (bench/broker-profile.sh) starts its own window here
                if (options.containsKey("window-file")) {
                    Files.writeString(Path.of(options.get("window-file")), "window\n");
                }
                sleepUntil(windowEnd);
                cpu[1] = CpuSnapshot.take(cpuPids);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                System.err.println("window-file not written: " + e);
            }
        }, "cpu-clock");
        cpuClock.setDaemon(true);
        cpuClock.start();
        if (rate > 0) {
            openLoop(rate, start, windowEnd);
        } else {
            for (Peer peer : peers) {
                if (peer != null && peer.opened) {
                    for (int i = 0; i < window; i++) {
                        peer.sendNext();
                    }
                }
            }
            sleepUntil(windowEnd);
        }
        sending = false;
        cpuClock.join(TimeUnit.SECONDS.toMillis(5));
        // only messages sent inside the window are recorded (see onFrame), wherever they arrive
        Histogram e2e = endToEnd.getIntervalHistogram();
        Histogram everyDevice = toEveryDevice.getIntervalHistogram();
        Histogram toQueued = queuedLatency.getIntervalHistogram();
        Histogram toDelivered = deliveredLatency.getIntervalHistogram();
        long drainEnd = System.nanoTime() + drain;
        while (System.nanoTime() < drainEnd && !settled()) {
            Thread.sleep(100);
        }
        e2e.add(endToEnd.getIntervalHistogram());
        everyDevice.add(toEveryDevice.getIntervalHistogram());
        toQueued.add(queuedLatency.getIntervalHistogram());
        toDelivered.add(deliveredLatency.getIntervalHistogram());
        double seconds = duration / 1e9;
        long total = sequence.get();
        result.put("mode", rate > 0 ? "open-loop " + rate + " msg/s" : "closed-loop window " + window);
        result.put("window_seconds", seconds);
        result.put("sent", sent.sum());
        result.put("queued_receipts", queuedCount.sum());
        result.put("received", receivedCount.sum());
        result.put("delivered_receipts", deliveredCount.sum());
        result.put("duplicates", duplicates.sum());
        result.put("device_arrivals", deviceArrivals.sum());
        result.put("errors", errors.values().stream().mapToLong(LongAdder::sum).sum());
        errors.forEach((code, n) -> result.put(code, n.sum()));
        long lost = 0;
        long unanswered = 0;
        long refusedButDelivered = 0;
        long fanoutMissing = 0;
        Map<String, Integer> missingByDevice = new java.util.TreeMap<>(); // recipient's connection -> messages
        for (int s = 0; s < Math.min(total, maxMessages); s++) {
            if (received.get(s) && devices > 1) {
                boolean missing = false;
                for (int d = 0; d < devices; d++) {
                    if (!receivedByDevice[d].get(s)) {
                        missing = true; // received by the user, not on every device
                        int recipient = (senderOf[s] / devices + 1) % users;
                        missingByDevice.merge(prefix + recipient + " connection " + (recipient * devices + d), 1, Integer::sum);
                    }
                }
                if (missing) {
                    fanoutMissing++;
                }
            }
            if (queued.get(s) && !received.get(s)) {
                lost++;
            }
            if (!queued.get(s) && !refused.get(s)) {
                unanswered++;
            }
            if (refused.get(s) && received.get(s)) {
                refusedButDelivered++;
            }
        }
        // lost: accepted (queued) but never received; unanswered: neither queued nor refused
        result.put("lost", lost);
        result.put("unanswered", unanswered);
        result.put("refused_but_delivered", refusedButDelivered);
        result.put("fanout_missing", fanoutMissing);
        if (!missingByDevice.isEmpty()) {
            // a few lost copies spread over many devices, or all of one device's: which
            result.put("fanout_missing_devices", missingByDevice.size());
            result.put("fanout_missing_where", missingByDevice.entrySet().stream().limit(5)
                    .map(e -> e.getKey() + ": " + e.getValue()).collect(java.util.stream.Collectors.joining(", ")));
        }
        result.put("received_per_s", String.format(Locale.ROOT, "%.0f", receivedInWindow.sum() / seconds));
        result.put("delivered_per_s", String.format(Locale.ROOT, "%.0f", deliveredInWindow.sum() / seconds));
        put(result, "e2e", e2e);
        if (devices > 1) {
            put(result, "device_e2e", everyDevice); // send -> each device's arrival
        }
        put(result, "queued", toQueued);
        put(result, "delivered", toDelivered);
        // per chat message that went through inside the window (received by its recipient): an
        // overloaded run sends more than it gets through, and the CPU went to what got through
        if (cpu[0] != null && cpu[1] != null) {
            cpu[1].putSince(cpu[0], receivedInWindow.sum(), "message", ticksPerSecond, result);
        }
    }

    private boolean settled() {
        // everything sent has an answer, every accepted message arrived (on every device of its user:
        // a copy from another node may come after the receipt), every arrival was receipted
        return queuedCount.sum() + refusedCount.sum() >= sent.sum() && receivedCount.sum() >= queuedCount.sum()
                && deviceArrivals.sum() >= receivedCount.sum() * devices && deliveredCount.sum() >= receivedCount.sum();
    }

    private static void put(Map<String, Object> result, String name, Histogram h) {
        result.put(name + "_count", h.getTotalCount());
        for (double p : new double[] {50, 90, 99, 99.9}) {
            result.put(name + "_p" + (p == 99.9 ? "999" : String.valueOf((int) p)) + "_ms",
                    String.format(Locale.ROOT, "%.2f", h.getValueAtPercentile(p) / 1000.0));
        }
        result.put(name + "_max_ms", String.format(Locale.ROOT, "%.2f", h.getMaxValue() / 1000.0));
    }

    private void openLoop(double rate, long start, long end) throws InterruptedException {
        long issued = 0;
        int next = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                return;
            }
            long due = (long) ((now - start) / 1e9 * rate);
            for (; issued < due; issued++) {
                long intended = start + (long) (issued * 1e9 / rate);
                for (int tries = 0; tries < connections; tries++) {
                    Peer peer = peers[next];
                    next = (next + 1) % connections;
                    if (peer != null && peer.opened && peer.greeted) {
                        peer.sendMessage(intended);
                        break;
                    }
                }
            }
            Thread.sleep(0, 500_000);
        }
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            Thread.sleep(Math.min(200, Math.max(1, left / 1_000_000)));
        }
    }

    private String padding(int used) {
        return "x".repeat(Math.max(0, size - used));
    }

    /** One connection, whatever carries it: what it sends, and what it makes of each frame it gets. */
    private abstract class Peer {
        final int index;
        final String target;
        final long attemptAt = System.nanoTime();
        volatile boolean opened;
        volatile boolean greeted;

        Peer(int index) {
            this.index = index;
            this.target = prefix + ((index / devices + 1) % users);
        }

        /** Sends one client frame, in order with the connection's others. */
        abstract void send(String frame);

        /** Acknowledges the message frame just received (MQTT's ack is the PUBACK, sent after the frame). */
        abstract void ack(String messageId);

        /** Whether the connection, once open, has ended. */
        abstract boolean closed();

        abstract void abort();

        void error(String name) {
            errors.computeIfAbsent(name, c -> new LongAdder()).increment();
        }

        /** Closed loop: the next message, if the window allows and time is not up. */
        void sendNext() {
            if (sending) {
                sendMessage(System.nanoTime());
            }
        }

        void sendMessage(long intended) {
            long seq = sequence.getAndIncrement();
            if (seq >= maxMessages) {
                return;
            }
            sentAt[(int) seq] = intended;
            senderOf[(int) seq] = index;
            String head = runTag + "." + seq + "." + index + ".";
            String frame = "{\"type\":\"message\",\"target_id\":\"" + target + "\",\"client_msg_id\":\"" + seq
                    + "\",\"message\":\"" + head + padding(head.length()) + "\"}";
            sent.increment();
            send(frame);
        }

        void onFrame(String text) {
            String type = Json.field(text, "type");
            long now = System.nanoTime();
            if ("message".equals(type)) {
                ack(Json.field(text, "message_id"));
                String body = Json.field(text, "message");
                if (body == null || !body.startsWith(runTag + ".")) {
                    return; // not ours (a leftover from an earlier run): acked, not counted
                }
                int seq = Integer.parseInt(body.substring(runTag.length() + 1, body.indexOf('.', runTag.length() + 1)));
                if (seq >= maxMessages || !receivedByDevice[index % devices].set(seq)) {
                    duplicates.increment();
                    return;
                }
                deviceArrivals.increment();
                long start = sentAt[seq];
                if (start >= windowStart) {
                    toEveryDevice.recordValue(Math.max(0, (now - start) / 1000));
                }
                if (!received.set(seq)) {
                    return; // another device of the user had it first
                }
                receivedCount.increment();
                if (start >= windowStart) {
                    endToEnd.recordValue(Math.max(0, (now - start) / 1000));
                }
                if (now >= windowStart && now < windowEnd) {
                    receivedInWindow.increment();
                }
            } else if ("receipt".equals(type)) {
                String client = Json.field(text, "client_msg_id");
                if (client == null) {
                    return;
                }
                int seq = Integer.parseInt(client);
                long start = sentAt[seq];
                if ("queued".equals(Json.field(text, "status"))) {
                    if (queued.set(seq)) {
                        queuedCount.increment();
                        if (start >= windowStart) {
                            queuedLatency.recordValue(Math.max(0, (now - start) / 1000));
                        }
                    }
                } else if (delivered.set(seq)) {
                    deliveredCount.increment();
                    if (start >= windowStart) {
                        deliveredLatency.recordValue(Math.max(0, (now - start) / 1000));
                    }
                    if (now >= windowStart && now < windowEnd) {
                        deliveredInWindow.increment();
                    }
                    if (window > 0) {
                        peers[senderOf[seq]].sendNext(); // the sender's, whichever device heard of it first
                    }
                }
            } else if ("error".equals(type)) {
                String client = Json.field(text, "client_msg_id");
                // a refused message names its client_msg_id; a refused ack its message_id
                String kind = client != null ? "error_" : "ack_error_";
                error(kind + Json.field(text, "code"));
                if (client != null) {
                    if (refused.set(Integer.parseInt(client))) {
                        refusedCount.increment();
                    }
                    if (window > 0) {
                        sendNext();
                    }
                }
            } else if ("connected".equals(type)) {
                if (!greeted) {
                    greeted = true;
                    greetLatency.recordValue(Math.max(0, (now - connectStart) / 1000));
                    handshakeToGreet.recordValue(Math.max(0, (now - attemptAt) / 1000));
                    LoadGenerator.this.greeted.countDown();
                }
            }
        }
    }

    /** A connection to /ws: its listener, and its own send queue (the JDK allows one send at a time). */
    private final class WsPeer extends Peer implements WebSocket.Listener {
        final SendQueue out = new SendQueue();
        volatile WebSocket ws;
        private final StringBuilder partial = new StringBuilder();

        WsPeer(int index) {
            super(index);
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            ws = webSocket;
            out.ws = webSocket;
            opened = true;
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        void send(String frame) {
            out.send(frame);
        }

        @Override
        void ack(String messageId) {
            out.send("{\"type\":\"ack\",\"message_id\":\"" + messageId + "\"}");
        }

        @Override
        boolean closed() {
            return ws.isInputClosed() || ws.isOutputClosed();
        }

        @Override
        void abort() {
            if (ws != null) {
                ws.abort();
            }
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (!last) {
                partial.append(data);
                return null;
            }
            String text;
            if (partial.length() > 0) {
                text = partial.append(data).toString();
                partial.setLength(0);
            } else {
                text = data.toString();
            }
            onFrame(text);
            return null;
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (sending) {
                error("closed_" + statusCode);
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            error("ws_error");
        }
    }

    /**
     * A connection to /mqtt through Paho: clean session, SUBSCRIBE {@code chat/in/<id>} at QoS 1 once
     * connected, frames PUBLISHed at QoS 1 to {@code chat/out}; manual acks, so that each PUBLISH
     * that arrives is PUBACKed once {@link #onFrame} recorded it.
     */
    private final class MqttPeer extends Peer implements MqttCallback {
        private final MqttAsyncClient client;
        private final IMqttActionListener failures = new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                // the server's PUBACK: the frame is taken (a message's receipt says the rest)
            }

            @Override
            public void onFailure(IMqttToken token, Throwable failure) {
                error("mqtt_error");
            }
        };

        MqttPeer(int index, URI uri, ScheduledExecutorService pings) throws MqttException {
            super(index);
            client = new MqttAsyncClient(uri.toString(), "bench-" + runTag + "-" + index, new MemoryPersistence(),
                    new ScheduledExecutorPingSender(pings), null);
            client.setCallback(this);
            client.setManualAcks(true);
        }

        CompletableFuture<Void> connect() throws MqttException {
            MqttConnectOptions connect = new MqttConnectOptions();
            connect.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            connect.setUserName(user(index));
            connect.setCleanSession(true);
            connect.setKeepAliveInterval(30);
            connect.setConnectionTimeout(20);
            connect.setAutomaticReconnect(false);
            connect.setMaxInflight(10_000); // the open loop may have many messages on their way
            CompletableFuture<Void> done = new CompletableFuture<>();
            client.connect(connect, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    opened = true;
                    try {
                        client.subscribe("chat/in/" + user(index), 1, null, new IMqttActionListener() {
                            @Override
                            public void onSuccess(IMqttToken subscribed) {
                                int[] granted = subscribed.getGrantedQos();
                                if (granted.length == 1 && granted[0] == 1) {
                                    done.complete(null);
                                } else {
                                    done.completeExceptionally(new IllegalStateException(
                                            "SUBACK " + java.util.Arrays.toString(granted)));
                                }
                            }

                            @Override
                            public void onFailure(IMqttToken subscribed, Throwable failure) {
                                done.completeExceptionally(failure);
                            }
                        });
                    } catch (MqttException e) {
                        done.completeExceptionally(e);
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    done.completeExceptionally(failure);
                }
            });
            return done;
        }

        @Override
        void send(String frame) {
            try {
                client.publish("chat/out", frame.getBytes(StandardCharsets.UTF_8), 1, false, null, failures);
            } catch (MqttException e) {
                error("mqtt_error");
            }
        }

        @Override
        void ack(String messageId) {
            // the PUBACK, once onFrame returned: see messageArrived
        }

        @Override
        boolean closed() {
            return !client.isConnected();
        }

        @Override
        void abort() {
            try {
                client.disconnectForcibly(0, 200, false);
                client.close(true);
            } catch (MqttException e) {
                // ending anyway
            }
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            try {
                onFrame(new String(message.getPayload(), StandardCharsets.UTF_8));
            } finally {
                try {
                    client.messageArrivedComplete(message.getId(), message.getQos());
                } catch (MqttException e) {
                    error("mqtt_error");
                }
            }
        }

        @Override
        public void connectionLost(Throwable cause) {
            if (sending) {
                error("closed_mqtt");
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // each publish has its listener
        }
    }

    /** A connection's frames, written one at a time in order. */
    private static final class SendQueue {
        private final java.util.concurrent.ConcurrentLinkedQueue<String> queue =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();
        volatile WebSocket ws;

        void send(String frame) {
            queue.add(frame);
            pump();
        }

        private void pump() {
            while (!queue.isEmpty() && busy.compareAndSet(false, true)) {
                String next = queue.poll();
                if (next == null) {
                    busy.set(false);
                    continue;
                }
                // 0 in flight, 1 completed inside sendText, 2 completes later
                java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger();
                ws.sendText(next, true).whenComplete((w, failure) -> {
                    if (!state.compareAndSet(0, 1)) {
                        busy.set(false);
                        pump();
                    }
                });
                if (state.compareAndSet(0, 2)) {
                    return; // the completion goes on
                }
                busy.set(false);
            }
        }
    }

    /** Enough JSON for the server's flat frames: the string or number value of a top-level field. */
    static final class Json {
        static String field(String json, String name) {
            String key = "\"" + name + "\"";
            int at = 0;
            while ((at = json.indexOf(key, at)) >= 0) {
                int i = at + key.length();
                while (i < json.length() && json.charAt(i) == ' ') {
                    i++;
                }
                if (i < json.length() && json.charAt(i) == ':') {
                    i++;
                    while (i < json.length() && json.charAt(i) == ' ') {
                        i++;
                    }
                    if (json.charAt(i) == '"') {
                        int end = json.indexOf('"', i + 1);
                        return json.substring(i + 1, end);
                    }
                    int end = i;
                    while (end < json.length() && ",}".indexOf(json.charAt(end)) < 0) {
                        end++;
                    }
                    return json.substring(i, end).trim();
                }
                at = i;
            }
            return null;
        }
    }

    /** A fixed-size bit set whose set() tells whether the bit was newly set. */
    static final class ConcurrentBits {
        private final java.util.concurrent.atomic.AtomicLongArray words;

        ConcurrentBits(int bits) {
            words = new java.util.concurrent.atomic.AtomicLongArray((bits + 63) / 64);
        }

        boolean set(int bit) {
            int w = bit >>> 6;
            long mask = 1L << (bit & 63);
            while (true) {
                long old = words.get(w);
                if ((old & mask) != 0) {
                    return false;
                }
                if (words.compareAndSet(w, old, old | mask)) {
                    return true;
                }
            }
        }

        boolean get(int bit) {
            return (words.get(bit >>> 6) & (1L << (bit & 63))) != 0;
        }
    }
}
