package com.estatechat.history.control;

import com.estatechat.history.entity.HistoryEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A process that writes a fresh embedded store as the history writer does until it is killed
 * ({@link EmbeddedStoreKillChaosIT}): every 50 ms a batch of 20 messages and the previous batch's
 * {@code delivered} events in one transaction; a batch's message ids go to {@code <path>.acked}
 * once its mark says written (where the writer acks), oldest first.
 *
 * <p>{@code StreamingCrashWriter <embedded path>}
 */
public final class StreamingCrashWriter {

    private record Committed(WrittenMark mark, List<HistoryEvent> messages) {
    }

    private StreamingCrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        ConversationStore store = TestStores.open("h2", args[0]);
        Path acked = Path.of(args[0] + ".acked");
        Deque<Committed> unwritten = new ArrayDeque<>();
        List<HistoryEvent> previous = List.of();
        while (true) {
            List<HistoryEvent> messages = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                messages.add(TestStores.message(TestStores.id(), "alice", "bob" + i));
            }
            List<HistoryEvent> batch = new ArrayList<>(messages);
            previous.forEach(message -> batch.add(TestStores.delivered(message, message.recipientId())));
            previous = messages;
            unwritten.add(new Committed(store.apply(batch), messages));
            StringBuilder written = new StringBuilder();
            while (!unwritten.isEmpty() && unwritten.peek().mark().isWritten()) {
                unwritten.poll().messages().forEach(message -> written.append(message.messageId()).append('\n'));
            }
            // no fsync: a killed process leaves what it wrote in the kernel's cache, as H2's own writes
            Files.writeString(acked, written, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }
}
