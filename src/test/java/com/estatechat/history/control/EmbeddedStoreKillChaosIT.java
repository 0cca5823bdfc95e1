package com.estatechat.history.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.TestFiles;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The embedded store (H2 in a file) keeps what its marks said was written through kill -9, round
 * after round: a fresh store written as the history writer writes ({@link StreamingCrashWriter}),
 * killed 3 to 8 s after its start (its schema made a moment before, as in a server's first
 * minutes), then opened again. Every message id the writer would have acked has its row. The
 * short form kills 2 stores; the long form ({@code -Pchaos}) 100. A round that loses rows keeps
 * the files: the file as the kill left it ({@code -killed.mv.db}), the ids, and the writer's output.
 * No server: the store alone, so a loss is H2's or the mark's, nothing else's
 * ({@code ServerStopChaosIT} kills a server on the same store).
 */
class EmbeddedStoreKillChaosIT {

    private static final Random RANDOM = new Random();

    @Test
    void everyBatchWhoseMarkSaidWrittenSurvivesAKill() throws Exception {
        int rounds = Boolean.getBoolean("chaos.long") ? 100 : 2;
        List<String> losses = new ArrayList<>();
        long ackedInAll = 0;
        for (int round = 1; round <= rounds; round++) {
            Path dir = Path.of("target", "history", "kill-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
            String path = dir.resolve("chat").toString();
            long killAfter = 3_000 + RANDOM.nextInt(5_000);
            killedAfter(path, killAfter);
            List<String> acked = Files.readAllLines(Path.of(path + ".acked")).stream()
                    .filter(line -> line.length() == 36).toList(); // a line cut by the kill is not an ack
            Files.copy(Path.of(path + ".mv.db"), Path.of(path + "-killed.mv.db"));
            Set<String> stored = storedIds(path);
            long missing = acked.stream().filter(id -> !stored.contains(id)).count();
            ackedInAll += acked.size();
            System.out.println("Round " + round + ": killed after " + killAfter + " ms, " + acked.size()
                    + " messages acked, " + missing + " of them without a row");
            if (missing > 0) {
                losses.add("round " + round + " (" + dir + "): " + missing + " of " + acked.size() + " acked messages without a row");
            } else {
                TestFiles.deleteTree(dir);
            }
        }
        assertThat(ackedInAll).as("messages acked in all rounds").isPositive();
        assertThat(losses).as("rounds that lost acked messages, of " + rounds).isEmpty();
    }

    private static void killedAfter(String path, long millis) throws Exception {
        Files.createDirectories(Path.of(path).getParent());
        File output = new File(path + ".log");
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), StreamingCrashWriter.class.getName(), path)
                .redirectErrorStream(true).redirectOutput(output).start();
        boolean exited = writer.waitFor(millis, TimeUnit.MILLISECONDS);
        assertThat(exited).as("the writer exited before its kill; its output: %s", output).isFalse();
        writer.destroyForcibly().waitFor();
    }

    private static Set<String> storedIds(String path) throws StoreUnavailable {
        ConversationStore store = TestStores.open("h2", path);
        try {
            return new HashSet<>(store.read(em -> em.createQuery("SELECT m.messageId FROM StoredMessage m", String.class)
                    .getResultList()));
        } finally {
            TestStores.close(store);
        }
    }
}
