package com.estatechat.bench.jmh;

import com.estatechat.chat.entity.MessageFrame;
import com.estatechat.chat.entity.ReceiptFrame;
import com.estatechat.history.entity.HistoryEvent;
import com.estatechat.json.JsonCodec;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * The writing of each chat message's frames by {@link JsonCodec} (JSON-B) against JSON-P's streaming
 * generator from one shared factory, member by member (the same text, checked at setup; the server
 * had it in 72658db, reverted), and JSON-B's reading of them, with frames shaped like the load
 * generator's ({@code bench/ab.sh}).
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
    private final JsonGeneratorFactory generators = JsonProvider.provider().createGeneratorFactory(Map.of());
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
        if (!messageJson.equals(messageGenerator()) || !receiptJson.equals(receiptGenerator())
                || !batchJson.equals(historyBatchGenerator())) {
            throw new IllegalStateException("the generator's text is not JSON-B's");
        }
    }

    @Benchmark
    public String messageJsonb() {
        return codec.toJson(message);
    }

    @Benchmark
    public String messageGenerator() {
        StringWriter text = new StringWriter(256);
        try (JsonGenerator json = generators.createGenerator(text)) {
            write(json, message);
        }
        return text.toString();
    }

    @Benchmark
    public String receiptJsonb() {
        return codec.toJson(receipt);
    }

    @Benchmark
    public String receiptGenerator() {
        StringWriter text = new StringWriter(256);
        try (JsonGenerator json = generators.createGenerator(text)) {
            json.writeStartObject();
            member(json, "at", receipt.at());
            member(json, "client_msg_id", receipt.clientMsgId());
            member(json, "message_id", receipt.messageId());
            member(json, "status", receipt.status());
            member(json, "target_id", receipt.targetId());
            member(json, "type", receipt.type());
            json.writeEnd();
        }
        return text.toString();
    }

    @Benchmark
    public String historyBatchJsonb() {
        return codec.toJson(batch);
    }

    @Benchmark
    public String historyBatchGenerator() {
        StringWriter text = new StringWriter(256 * batch.size() + 2);
        try (JsonGenerator json = generators.createGenerator(text)) {
            json.writeStartArray();
            for (HistoryEvent event : batch) {
                write(json, event);
            }
            json.writeEnd();
        }
        return text.toString();
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

    /** JSON-B's order: the snake_case names sorted; a null left out. */
    private static void write(JsonGenerator json, MessageFrame frame) {
        json.writeStartObject();
        member(json, "message", frame.message());
        member(json, "message_id", frame.messageId());
        json.write("redelivered", frame.redelivered());
        member(json, "sender_id", frame.senderId());
        member(json, "sender_role", frame.senderRole());
        member(json, "sent_at", frame.sentAt());
        member(json, "target_id", frame.targetId());
        member(json, "type", frame.type());
        json.writeEnd();
    }

    private static void write(JsonGenerator json, HistoryEvent event) {
        json.writeStartObject();
        member(json, "at", event.at());
        member(json, "client_msg_id", event.clientMsgId());
        member(json, "event", event.event());
        member(json, "message", event.message());
        member(json, "message_id", event.messageId());
        member(json, "recipient_id", event.recipientId());
        member(json, "sender_id", event.senderId());
        member(json, "sender_role", event.senderRole());
        member(json, "sent_at", event.sentAt());
        member(json, "target_id", event.targetId());
        json.writeEnd();
    }

    private static void member(JsonGenerator json, String name, String value) {
        if (value != null) {
            json.write(name, value);
        }
    }
}
