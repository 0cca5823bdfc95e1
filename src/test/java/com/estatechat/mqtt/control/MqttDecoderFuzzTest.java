package com.estatechat.mqtt.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.estatechat.mqtt.entity.MqttPacket;
import com.estatechat.mqtt.entity.MqttViolation;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz tests of the MQTT packet decoder (Jazzer), set up as {@code FrameParserFuzzTest}: under
 * plain {@code mvn test} each target replays its seeds
 * ({@code src/test/resources/com/estatechat/mqtt/control/MqttDecoderFuzzTestInputs/<method>/});
 * with {@code JAZZER_FUZZ=1} one target is fuzzed, coverage-guided. Whatever bytes a client sends,
 * in whatever cuts, the decoder answers with packets or an {@link MqttViolation}, never another
 * exception, never holding more than one packet's limit; a valid stream decodes the same however it
 * is cut.
 */
class MqttDecoderFuzzTest {

    static final int MAX = 512;

    /** Decodes {@code bytes} fed in the given cuts: the packets, or the violation. */
    static Object outcome(byte[] bytes, List<Integer> cuts) {
        MqttDecoder cut = new MqttDecoder(MAX);
        List<MqttPacket> packets = new ArrayList<>();
        int at = 0;
        try {
            for (int size : cuts) {
                int take = Math.min(size, bytes.length - at);
                packets.addAll(cut.feed(ByteBuffer.wrap(bytes, at, take)));
                at += take;
            }
            packets.addAll(cut.feed(ByteBuffer.wrap(bytes, at, bytes.length - at)));
        } catch (MqttViolation violation) {
            assertThat(violation.getMessage()).isNotBlank();
            return "violation";
        }
        for (MqttPacket packet : packets) {
            assertThat(packet).isNotNull();
            if (packet instanceof MqttPacket.Publish publish) {
                assertThat(publish.topic()).isNotEmpty().doesNotContain("+", "#", "\u0000");
                assertThat(publish.payload().length).isLessThan(MAX);
            }
        }
        return packets;
    }

    @FuzzTest(maxDuration = "2m")
    void anyBytesArePacketsOrAViolation(FuzzedDataProvider data) {
        List<Integer> cuts = new ArrayList<>();
        int count = data.consumeInt(0, 8);
        for (int i = 0; i < count; i++) {
            cuts.add(data.consumeInt(0, 64));
        }
        outcome(data.consumeRemainingAsBytes(), cuts);
    }

    /** Valid packets, written from the input's choices, decode to the same however the stream is cut. */
    @FuzzTest(maxDuration = "2m")
    void aValidStreamDecodesTheSameCutAnywhere(FuzzedDataProvider data) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        int packets = data.consumeInt(1, 6);
        for (int i = 0; i < packets; i++) {
            switch (data.consumeInt(0, 4)) {
                case 0 -> stream.writeBytes(MqttPackets.connect(data.consumeString(20), data.consumeString(64),
                        data.consumeBoolean() ? data.consumeString(100) : null,
                        0x80 | (data.consumeBoolean() ? 0x40 : 0) | (data.consumeBoolean() ? 0x02 : 0),
                        data.consumeInt(0, 65_535)));
                case 1 -> stream.writeBytes(MqttPackets.publish("chat/out", 1, data.consumeInt(1, 65_535),
                        data.consumeString(200)));
                case 2 -> stream.writeBytes(new byte[] {0x40, 2, (byte) data.consumeInt(1, 255), data.consumeByte()});
                case 3 -> stream.writeBytes(new byte[] {(byte) 0xC0, 0});
                default -> stream.writeBytes(new byte[] {(byte) 0xE0, 0});
            }
        }
        byte[] bytes = stream.toByteArray();
        Object whole = outcome(bytes, List.of());
        List<Integer> cuts = new ArrayList<>();
        while (data.remainingBytes() > 0) {
            cuts.add(data.consumeInt(0, 40));
        }
        Object pieces = outcome(bytes, cuts);
        if (whole instanceof List<?> decoded) {
            // strings the input chose may be invalid for MQTT (U+0000, wildcards): then both cuts refuse alike
            assertThat(pieces).usingRecursiveComparison().isEqualTo(decoded);
        } else {
            assertThat(pieces).isEqualTo(whole);
        }
    }

    /** A valid packet with bytes changed, cut short or followed by anything: packets or a violation. */
    @FuzzTest(maxDuration = "2m")
    void aValidPacketMutatedIsPacketsOrAViolation(FuzzedDataProvider data) {
        byte[] valid = data.consumeBoolean()
                ? MqttPackets.connect("client", "alice", "token", 0xC2, 30)
                : MqttPackets.publish("chat/out", 1, 7, "{\"target_id\":\"bob\",\"message\":\"hi\"}");
        int changes = data.consumeInt(0, 4);
        for (int i = 0; i < changes; i++) {
            valid[data.consumeInt(0, valid.length - 1)] = data.consumeByte();
        }
        int keep = data.consumeInt(0, valid.length);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.write(valid, 0, keep);
        stream.writeBytes(data.consumeRemainingAsBytes());
        outcome(stream.toByteArray(), List.of(1, 2, 3));
    }
}
