package com.estatechat.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.chat.entity.MessageFrame;
import com.estatechat.chat.entity.ReceiptFrame;
import com.estatechat.history.entity.HistoryEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The frames written by JSON-P's generator ({@link JsonCodec#toJson(FlatJson)}) are the text JSON-B
 * writes for them ({@link JsonCodec#toJson(Object)}): member order, left-out nulls, escapes.
 */
class FlatJsonTest {

    private static final long SEED = 20261207L;
    private static final int RANDOM_FRAMES = 20_000;

    /** Strings that make a writer escape or encode: quotes, controls, non-Latin, surrogates (pairs and lone). */
    private static final List<String> AWKWARD = List.of("", " ", "plain", "\"", "\\", "\"\\\"", "/", "</script>",
            "\u0000", "\u0001\u001f", "\b\f\n\r\t", "\u007f", "\u0080\u009f", "\u00a0", "\u2028\u2029", "\ufeff",
            "\uffff", "héllo wörld", "Привет", "你好，世界", "مرحبا", "😀", "👩‍👩‍👧", "\ud83d", "\ude00", "\ude00\ud83d",
            "a\ud800b", "emoji 😀 and \"quote\" and \n");

    private final JsonCodec codec = new JsonCodec();
    private final Random random = new Random(SEED);

    @Test
    void messageFrameIsWrittenAsJsonbWritesIt() {
        assertSameTextForAll(this::messageFrame);
    }

    @Test
    void receiptFrameIsWrittenAsJsonbWritesIt() {
        assertSameTextForAll(this::receiptFrame);
    }

    @Test
    void historyEventIsWrittenAsJsonbWritesIt() {
        assertSameTextForAll(this::historyEvent);
    }

    @Test
    void historyBatchIsWrittenAsJsonbWritesIt() {
        for (int i = 0; i < RANDOM_FRAMES / 10; i++) {
            List<HistoryEvent> batch = new ArrayList<>();
            int size = random.nextInt(12);
            for (int e = 0; e < size; e++) {
                batch.add(historyEvent(random.nextBoolean() ? this::awkward : this::randomText));
            }
            assertThat(codec.toJson(batch)).as("seed %d, batch %d", SEED, i).isEqualTo(jsonb(batch));
        }
    }

    @Test
    void framesOfTheWireAreWrittenAsJsonbWritesThem() {
        List<FlatJson> frames = List.of(
                MessageFrame.of("m-1", "alice", "tenant", "bob", "hello", "2026-12-07T15:00:00Z"),
                MessageFrame.of("m-1", "alice", "tenant", "bob", "hello", "2026-12-07T15:00:00Z").redelivered(true),
                ReceiptFrame.of("m-1", ReceiptFrame.QUEUED, "bob", "c-1", "2026-12-07T15:00:01Z"),
                ReceiptFrame.of("m-1", ReceiptFrame.READ, "bob", null, "2026-12-07T15:00:01Z"),
                HistoryEvent.message("m-1", "alice", "tenant", "bob", "hello", null, "2026-12-07T15:00:00Z"),
                HistoryEvent.delivered("bob", "2026-12-07T15:00:01Z", "m-1", "alice", "tenant", "bob", "hello", "c-1",
                        "2026-12-07T15:00:00Z"),
                HistoryEvent.read("bob", "alice", "m-1", "2026-12-07T15:00:02Z"),
                new MessageFrame(null, null, null, null, null, null, null, false));
        for (FlatJson frame : frames) {
            assertThat(codec.toJson(frame)).isEqualTo(jsonb(frame));
        }
    }

    private void assertSameTextForAll(Function<Supplier<String>, FlatJson> frames) {
        for (String text : AWKWARD) {
            FlatJson frame = frames.apply(() -> text);
            assertThat(codec.toJson(frame)).as("%s", frame).isEqualTo(jsonb(frame));
        }
        for (int i = 0; i < RANDOM_FRAMES; i++) {
            FlatJson frame = frames.apply(i % 2 == 0 ? this::awkward : this::randomText);
            assertThat(codec.toJson(frame)).as("seed %d, frame %d: %s", SEED, i, frame).isEqualTo(jsonb(frame));
        }
    }

    /** JSON-B's text: the codec's other path, the one every other type takes. */
    private String jsonb(Object frame) {
        return codec.toJson(frame);
    }

    private MessageFrame messageFrame(Supplier<String> text) {
        return new MessageFrame(text.get(), text.get(), text.get(), text.get(),
                text.get(), text.get(), text.get(), random.nextBoolean());
    }

    private ReceiptFrame receiptFrame(Supplier<String> text) {
        return new ReceiptFrame(text.get(), text.get(), text.get(), text.get(),
                text.get(), text.get());
    }

    private HistoryEvent historyEvent(Supplier<String> text) {
        return new HistoryEvent(text.get(), text.get(), text.get(), text.get(),
                text.get(), text.get(), text.get(), text.get(), text.get(),
                text.get());
    }

    /** One of the awkward strings, sometimes null, sometimes several joined. */
    private String awkward() {
        int pick = random.nextInt(AWKWARD.size() + 2);
        if (pick == AWKWARD.size()) {
            return null;
        }
        if (pick == AWKWARD.size() + 1) {
            return AWKWARD.get(random.nextInt(AWKWARD.size())) + AWKWARD.get(random.nextInt(AWKWARD.size()));
        }
        return AWKWARD.get(pick);
    }

    /** Random chars from the whole UTF-16 range, weighted to ASCII and controls; sometimes null. */
    private String randomText() {
        if (random.nextInt(8) == 0) {
            return null;
        }
        int length = random.nextInt(40);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(switch (random.nextInt(4)) {
                case 0 -> (char) random.nextInt(0x20);
                case 1 -> (char) (0x20 + random.nextInt(0x60));
                case 2 -> (char) (0xd800 + random.nextInt(0x800)); // surrogates, paired by chance or not
                default -> (char) random.nextInt(0x10000);
            });
        }
        return text.toString();
    }
}
