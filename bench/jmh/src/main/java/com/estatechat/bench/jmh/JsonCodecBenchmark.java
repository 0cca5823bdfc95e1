package com.estatechat.bench.jmh;

import com.estatechat.chat.entity.MessageFrame;
import com.estatechat.chat.entity.ReceiptFrame;
import com.estatechat.history.entity.HistoryEvent;
import com.estatechat.json.JsonCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link JsonCodec}'s writing of the frames of each chat message, JSON-B ({@code toJson(Object)})
 * against JSON-P's generator ({@code toJson(FlatJson)}, same text), and JSON-B's reading of them,
 * with frames shaped like the load generator's ({@code bench/ab.sh}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class JsonCodecBenchmark {

    /** Events per history batch: the feed coalesces what arrives while two batches await confirms. */
    private static final int BATCH = 8;

    private final JsonCodec codec = new JsonCodec();
    private MessageFrame message;
    private ReceiptFrame receipt;
    private List<HistoryEvent> batch;
    private String messageJson;
    private String receiptJson;
    private String batchJson;

    @Setup
    public void frames() {
        String sentAt = "2026-12-07T15:40:12.345678Z";
        String text = "r1733586012.4711.123.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
        message = MessageFrame.of("0193a5c2-7f3e-7b21-9c4d-5e6f7a8b9c0d", "bench-user-123", "tenant",
                "bench-user-456", text, sentAt);
        receipt = ReceiptFrame.of(message.messageId(), ReceiptFrame.DELIVERED, "bench-user-456", "4711",
                "2026-12-07T15:40:12.412345Z");
        batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(i % 2 == 0
                    ? HistoryEvent.message(message.messageId(), "bench-user-123", "tenant", "bench-user-456", text,
                            "4711", sentAt)
                    : HistoryEvent.delivered("bench-user-456", receipt.at(), message.messageId(), "bench-user-123",
                            "tenant", "bench-user-456", text, "4711", sentAt));
        }
        messageJson = codec.toJson(message);
        receiptJson = codec.toJson(receipt);
        batchJson = codec.toJson(batch);
        if (!messageJson.equals(codec.toJson((Object) message)) || !receiptJson.equals(codec.toJson((Object) receipt))
                || !batchJson.equals(codec.toJson((Object) batch))) {
            throw new IllegalStateException("the generator's text is not JSON-B's");
        }
    }

    @Benchmark
    public String messageJsonb() {
        return codec.toJson((Object) message);
    }

    @Benchmark
    public String messageGenerator() {
        return codec.toJson(message);
    }

    @Benchmark
    public String receiptJsonb() {
        return codec.toJson((Object) receipt);
    }

    @Benchmark
    public String receiptGenerator() {
        return codec.toJson(receipt);
    }

    @Benchmark
    public String historyBatchJsonb() {
        return codec.toJson((Object) batch);
    }

    @Benchmark
    public String historyBatchGenerator() {
        return codec.toJson(batch);
    }

    @Benchmark
    public MessageFrame messageReadJsonb() {
        return codec.fromJson(messageJson, MessageFrame.class);
    }

    @Benchmark
    public ReceiptFrame receiptReadJsonb() {
        return codec.fromJson(receiptJson, ReceiptFrame.class);
    }

    @Benchmark
    public HistoryEvent[] historyBatchReadJsonb() {
        return codec.fromJson(batchJson, HistoryEvent[].class);
    }
}
