package com.estatechat.chaos;

import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts every chat message of a fault run by its own key (carried in the message text, since a
 * recipient never sees the sender's {@code client_msg_id}): sent, accepted ({@code queued}),
 * refused, delivered, duplicated, acked by a delivered receipt. A message is lost when it was
 * accepted and never delivered.
 */
final class DeliveryLedger {

    private static final String PREFIX = "chaos:";

    /** One message's history. */
    private static final class Entry {
        final String from;
        final String to;
        volatile boolean sendFailed;
        volatile String messageId;
        volatile String refusedWith;
        final AtomicInteger deliveries = new AtomicInteger();
        final long sentNanos = System.nanoTime();
        volatile long answeredNanos;
        volatile long firstDeliveryNanos;
        volatile boolean deliveredReceipt;

        Entry(String from, String to) {
            this.from = from;
            this.to = to;
        }
    }

    private final String scenario;
    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentMap<String, Entry> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicInteger unflaggedDuplicates = new AtomicInteger();
    private final AtomicInteger misrouted = new AtomicInteger();
    private final AtomicInteger unknown = new AtomicInteger();
    private final ConcurrentMap<String, AtomicInteger> otherErrors = new ConcurrentHashMap<>();

    DeliveryLedger(String scenario) {
        this.scenario = scenario;
    }

    /** Registers a message about to be sent; returns its key, which goes in {@link #text(String)}. */
    String newMessage(String from, String to) {
        String key = from + "#" + sequence.incrementAndGet();
        byKey.put(key, new Entry(from, to));
        return key;
    }

    static String text(String key) {
        return PREFIX + key;
    }

    void sendFailed(String key) {
        byKey.get(key).sendFailed = true;
    }

    void accepted(String key, String messageId) {
        Entry entry = byKey.get(key);
        if (entry == null) {
            unknown.incrementAndGet();
            return;
        }
        entry.messageId = messageId;
        answered(entry);
    }

    private static void answered(Entry entry) {
        if (entry.answeredNanos == 0) {
            entry.answeredNanos = System.nanoTime();
        }
    }

    /** The ids of every message the server accepted ({@code queued}). */
    java.util.Set<String> acceptedIds() {
        return byKey.values().stream().map(entry -> entry.messageId).filter(java.util.Objects::nonNull)
                .collect(java.util.stream.Collectors.toSet());
    }

    void refused(String key, String code) {
        Entry entry = key == null ? null : byKey.get(key);
        if (entry == null) {
            otherErrors.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
            return;
        }
        entry.refusedWith = code;
        answered(entry);
    }

    /** A {@code message} frame reached {@code recipient}. */
    void delivered(String recipient, JsonObject frame) {
        String text = frame.getString("message", "");
        Entry entry = text.startsWith(PREFIX) ? byKey.get(text.substring(PREFIX.length())) : null;
        if (entry == null) {
            unknown.incrementAndGet();
            return;
        }
        if (!entry.to.equals(recipient) || !entry.from.equals(frame.getString("sender_id", null))) {
            misrouted.incrementAndGet();
        }
        if (entry.deliveries.incrementAndGet() == 1) {
            entry.firstDeliveryNanos = System.nanoTime();
        } else {
            duplicates.incrementAndGet();
            if (!frame.getBoolean("redelivered", false)) {
                unflaggedDuplicates.incrementAndGet();
            }
        }
    }

    /** A {@code delivered} receipt: found by its {@code client_msg_id}, as it may come before {@code queued}. */
    void deliveredReceipt(JsonObject receipt) {
        Entry entry = byKey.get(receipt.getString("client_msg_id", ""));
        if (entry == null) {
            unknown.incrementAndGet();
            return;
        }
        entry.deliveredReceipt = true;
    }

    /**
     * Waits until every accepted message was delivered and its sender has the {@code delivered}
     * receipt (or the time is up: the report then shows what is missing).
     */
    void awaitSettled(Duration atMost) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(200))
                    .until(() -> undelivered() == 0 && withoutDeliveredReceipt() == 0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported as lost
        }
    }

    /** Waits until every message sent on an open connection got its answer: queued or an error. */
    void awaitAnswered(Duration atMost) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> unanswered() == 0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported as unanswered
        }
    }

    /** Send to first delivery, in milliseconds, of the messages to these recipients: p50, p99, max. */
    String latency(java.util.Set<String> recipients) {
        long[] millis = byKey.values().stream()
                .filter(e -> e.firstDeliveryNanos != 0 && recipients.contains(e.to))
                .mapToLong(e -> (e.firstDeliveryNanos - e.sentNanos) / 1_000_000).sorted().toArray();
        if (millis.length == 0) {
            return "none delivered";
        }
        return "p50 " + millis[millis.length / 2] + " ms, p99 " + millis[(int) (millis.length * 0.99)]
                + " ms, max " + millis[millis.length - 1] + " ms (" + millis.length + " messages)";
    }

    long undelivered() {
        return byKey.values().stream().filter(e -> e.messageId != null && e.deliveries.get() == 0).count();
    }

    long withoutDeliveredReceipt() {
        return byKey.values().stream().filter(e -> e.messageId != null && !e.deliveredReceipt).count();
    }

    /** The first few accepted messages whose sender never got {@code delivered}: key and message id, to look up in the logs. */
    List<String> missingDeliveredReceipts() {
        return byKey.entrySet().stream().filter(e -> e.getValue().messageId != null && !e.getValue().deliveredReceipt)
                .limit(10).map(e -> e.getKey() + " " + e.getValue().messageId + " to " + e.getValue().to).toList();
    }

    long unanswered() {
        return byKey.values().stream()
                .filter(e -> !e.sendFailed && e.messageId == null && e.refusedWith == null).count();
    }

    /** Messages {@code sender} sent that got neither {@code queued} nor an error yet. */
    long unansweredFrom(String sender) {
        return byKey.values().stream()
                .filter(e -> e.from.equals(sender) && !e.sendFailed && e.messageId == null && e.refusedWith == null)
                .count();
    }

    Report report() {
        List<Entry> all = List.copyOf(byKey.values());
        Map<String, Long> refused = new TreeMap<>();
        all.stream().filter(e -> e.refusedWith != null).forEach(e -> refused.merge(e.refusedWith, 1L, Long::sum));
        Map<String, Integer> other = new TreeMap<>();
        otherErrors.forEach((code, count) -> other.put(code, count.get()));
        return new Report(scenario, all.size(),
                all.stream().filter(e -> e.sendFailed).count(),
                all.stream().filter(e -> e.messageId != null).count(),
                refused, unanswered(),
                all.stream().filter(e -> e.deliveries.get() > 0).count(),
                all.stream().filter(e -> e.messageId == null && e.deliveries.get() > 0).count(),
                all.stream().filter(e -> e.refusedWith != null && e.deliveries.get() > 0).count(),
                duplicates.get(), unflaggedDuplicates.get(), misrouted.get(), unknown.get(),
                all.stream().filter(e -> e.deliveredReceipt).count(), withoutDeliveredReceipt(), other,
                undelivered(), all.stream().filter(e -> e.answeredNanos != 0)
                        .mapToLong(e -> (e.answeredNanos - e.sentNanos) / 1_000_000).max().orElse(0));
    }

    /** What a fault run did to its messages; {@link #lost()} must be 0. */
    record Report(String scenario, long sent, long sendFailed, long accepted, Map<String, Long> refused,
            long unanswered, long delivered, long deliveredWithoutQueuedReceipt, long refusedThenDelivered,
            int duplicates, int unflaggedDuplicates, int misrouted, int unknown, long deliveredReceipts,
            long missingDeliveredReceipts, Map<String, Integer> otherErrors, long lost, long longestAnswerMillis) {

        /** The promise every fault run checks: nothing accepted is lost, unconfirmed or silently doubled. */
        Report assertNothingLost() {
            org.assertj.core.api.Assertions.assertThat(accepted).as("messages accepted").isPositive();
            org.assertj.core.api.Assertions.assertThat(lost).as("accepted but never delivered").isZero();
            org.assertj.core.api.Assertions.assertThat(missingDeliveredReceipts)
                    .as("accepted without a delivered receipt").isZero();
            org.assertj.core.api.Assertions.assertThat(unflaggedDuplicates)
                    .as("second copies not flagged redelivered").isZero();
            org.assertj.core.api.Assertions.assertThat(misrouted).as("misrouted").isZero();
            org.assertj.core.api.Assertions.assertThat(refusedThenDelivered)
                    .as("refused, yet delivered: the sender was told a lie").isZero();
            return this;
        }

        String markdown() {
            return "## " + scenario + "\n\n"
                    + "| count | value |\n|---|---|\n"
                    + "| sent | " + sent + " |\n"
                    + "| send failed (socket already closed) | " + sendFailed + " |\n"
                    + "| accepted (`queued`) | " + accepted + " |\n"
                    + "| refused (`error`), by code | " + refused + " |\n"
                    + "| unanswered (neither queued nor refused) | " + unanswered + " |\n"
                    + "| delivered (at least once) | " + delivered + " |\n"
                    + "| delivered though no `queued` reached the sender | " + deliveredWithoutQueuedReceipt + " |\n"
                    + "| refused (`error`), yet delivered | " + refusedThenDelivered + " |\n"
                    + "| duplicates (all must be `redelivered`) | " + duplicates + " |\n"
                    + "| duplicates not flagged `redelivered` | " + unflaggedDuplicates + " |\n"
                    + "| misrouted | " + misrouted + " |\n"
                    + "| frames of no message of this run | " + unknown + " |\n"
                    + "| `delivered` receipts | " + deliveredReceipts + " |\n"
                    + "| accepted without a `delivered` receipt | " + missingDeliveredReceipts + " |\n"
                    + "| other errors | " + otherErrors + " |\n"
                    + "| **lost** (accepted, never delivered) | **" + lost + "** |\n"
                    + "| longest wait of a send for its answer | " + longestAnswerMillis + " ms |\n";
        }

        /** Writes the report to target/chaos-reports/&lt;scenario&gt;.md and prints it. */
        Report write() {
            return write("");
        }

        /** Writes the report with a line on what the run did. */
        Report write(String run) {
            String text = markdown() + (run.isEmpty() ? "" : "\n" + run + "\n");
            System.out.println(text);
            try {
                Path dir = Files.createDirectories(Path.of("target", "chaos-reports"));
                Files.writeString(dir.resolve(scenario + ".md"), text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }
    }
}
