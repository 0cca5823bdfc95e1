package com.estatechat.history.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MessageIdsTest {

    final MessageIds cut = new MessageIds();

    @Test
    void idsAreVersion7UuidsInCreationOrder() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            ids.add(cut.next());
        }
        assertThat(ids).isSorted();
        assertThat(new HashSet<>(ids)).hasSize(ids.size());
        assertThat(UUID.fromString(ids.get(0)).version()).isEqualTo(7);
        assertThat(ids.get(0)).matches(MessageIds.PATTERN.pattern());
    }

    @Test
    void idsAreUniqueAcrossThreads() {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        IntStream.range(0, 200_000).parallel().forEach(i -> ids.add(cut.next()));
        assertThat(ids).hasSize(200_000);
    }

    @Test
    void idsCarryTheirCreationTime() {
        long before = System.currentTimeMillis();
        UUID id = UUID.fromString(cut.next());
        long millis = id.getMostSignificantBits() >>> 16;
        assertThat(millis).isBetween(before - 1, System.currentTimeMillis() + 1);
    }
}
