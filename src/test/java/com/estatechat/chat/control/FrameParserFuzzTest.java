package com.estatechat.chat.control;

import com.estatechat.json.JsonCodec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.estatechat.identity.Identity;
import com.estatechat.identity.Role;
import com.estatechat.chat.entity.ChatCommand;
import com.estatechat.chat.entity.ErrorCode;
import com.estatechat.chat.entity.FrameRejected;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fuzz tests of the frame decoder (Jazzer). Whatever a client sends, the parser answers with a
 * command or a refusal carrying a protocol error code, never another exception and never slowly;
 * valid frames decode to exactly the fields they were written with.
 *
 * <p>Under plain {@code mvn test} each target replays its seed corpus
 * ({@code src/test/resources/com/estatechat/chat/control/FrameParserFuzzTestInputs/<method>/}) and an
 * empty input. With {@code JAZZER_FUZZ=1} one target at a time is fuzzed, coverage-guided, for
 * {@code maxDuration} (or {@code -Djazzer.max_duration=...}); see docs/development.md.
 *
 * <p>The text targets read their input as text, so their seeds are plain files. The structured
 * targets draw every choice from a {@link FuzzedDataProvider} (numbers and booleans from the end of
 * the input, strings from the front); their seeds are written by {@code src/test/fuzz/frame-parser-seeds.py}, which
 * must change with the order of the {@code consume} calls here.
 */
class FrameParserFuzzTest {

    static final Identity ALICE = Identity.of("alice", Role.TENANT);
    static final int MAX_CHARS = 200;
    static final List<String> KNOWN = List.of("type", "target_id", "message", "sender_id", "client_msg_id",
            "message_id", "access_token");
    static final Set<String> KNOWN_SET = Set.copyOf(KNOWN);
    static final String USER_ID_CHARS = "abcXYZ019_.-";
    static final String MESSAGE_ID_CHARS = "0123456789abcdef-";
    static final List<String> HUGE_NUMBERS = List.of("1e999999999", "-1E-999999999",
            "123456789012345678901234567890", "-0");
    static final List<String> PLACEMENTS = List.of("NESTED", "{\"target_id\":\"bob\",\"message\":NESTED}",
            "{\"extra\":NESTED,\"target_id\":\"bob\",\"message\":\"hi\"}", "{\"type\":NESTED}", "[NESTED]");

    static final FrameParser CUT = new FrameParser(new JsonCodec(), MAX_CHARS);

    /** The outcome of one parse: a command, or the refusal's code; any other exception fails the target. */
    record Outcome(ChatCommand command, ErrorCode code) {
    }

    static Outcome outcome(String text) {
        try {
            ChatCommand command = CUT.parse(text, ALICE);
            assertThat(command).as("command for %.200s", text).isNotNull();
            return new Outcome(command, null);
        } catch (FrameRejected rejected) {
            assertThat(rejected.code()).as("code of the refusal of %.200s", text).isNotNull();
            assertThat(rejected.getMessage()).isNotBlank();
            return new Outcome(null, rejected.code());
        }
    }

    /** The code of the refusal; fails when the text is accepted. */
    static ErrorCode code(String text) {
        FrameRejected rejected = catchThrowableOfType(FrameRejected.class, () -> CUT.parse(text, ALICE));
        assertThat(rejected).as("refusal of %.200s", text).isNotNull();
        return rejected.code();
    }

    // ---- text targets: any input is a command or a refusal

    /** Any text (the fuzzer's modified UTF-8: every BMP character, and pairs beyond it). */
    @FuzzTest(maxDuration = "2m")
    void anyTextIsACommandOrARefusal(FuzzedDataProvider data) {
        outcome(data.consumeRemainingAsString());
    }

    /**
     * Any UTF-16 text, lone surrogates included (which the data provider's strings never hold): the
     * input is read as UTF-16BE, two bytes a character.
     */
    @FuzzTest(maxDuration = "2m")
    void anyUtf16TextIsACommandOrARefusal(byte[] input) {
        char[] chars = new char[input.length / 2];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) ((input[2 * i] & 0xFF) << 8 | input[2 * i + 1] & 0xFF);
        }
        outcome(new String(chars));
    }

    // ---- structured targets: a valid frame, built and then changed from the fuzzer's choices

    /** A message or an ack with unknown fields of any JSON decodes to exactly its fields. */
    @FuzzTest(maxDuration = "2m")
    void aValidFrameDecodesToTheFieldsItWasWrittenWith(FuzzedDataProvider data) {
        Map<String, JsonValue> extra = unknownFields(data);
        JsonObjectBuilder frame = Json.createObjectBuilder();
        extra.forEach(frame::add);
        if (data.consumeBoolean()) {
            String messageId = messageId(data);
            String text = frame.add("type", "ack").add("message_id", messageId).build().toString();
            assertThat(outcome(text)).isEqualTo(new Outcome(new ChatCommand.Ack(messageId), null));
            return;
        }
        String target = userId(data);
        String message = message(data);
        String clientMsgId = data.consumeBoolean() ? clientMsgId(data) : null;
        frame.add("target_id", target).add("message", message);
        if (clientMsgId != null) {
            frame.add("client_msg_id", clientMsgId);
        }
        if (data.consumeBoolean()) {
            frame.add("type", "message");
        }
        if (data.consumeBoolean()) {
            frame.add("sender_id", ALICE.userId());
        }
        assertThat(outcome(frame.build().toString()))
                .isEqualTo(new Outcome(new ChatCommand.Send(target, message, clientMsgId), null));
    }

    /**
     * A valid frame cut short is {@code bad_json}; followed by anything but whitespace it is
     * {@code bad_json}; with one character replaced or removed it is still a command or a refusal.
     */
    @FuzzTest(maxDuration = "2m")
    void aValidFrameCutFollowedOrMutated(FuzzedDataProvider data) {
        String frame = validFrame(data);
        switch (data.consumeInt(0, 2)) {
            case 0 -> {
                String prefix = frame.substring(0, data.consumeInt(0, 10_000) % frame.length());
                assertThat(code(prefix)).isEqualTo(ErrorCode.BAD_JSON);
            }
            case 1 -> {
                String tail = data.consumeRemainingAsString();
                String trailing = tail.strip().isEmpty() ? "x" : tail;
                assertThat(code(frame + trailing)).isEqualTo(ErrorCode.BAD_JSON);
            }
            default -> {
                int index = data.consumeInt(0, 10_000) % frame.length();
                char replacement = data.consumeChar();
                outcome(frame.substring(0, index) + replacement + frame.substring(index + 1));
                outcome(frame.substring(0, index) + frame.substring(index + 1));
            }
        }
    }

    /**
     * A frame with one wrong or missing value gets its specific code: non-strings in known fields,
     * unknown types, top-level values that are not objects, lone surrogate escapes are
     * {@code bad_frame}; a null field is an absent one; a raw control character in a string is
     * {@code bad_json}; a message is {@code too_large} exactly past the limit.
     */
    @FuzzTest(maxDuration = "2m")
    void aWrongValueGetsItsCode(FuzzedDataProvider data) {
        switch (data.consumeInt(0, 6)) {
            case 0 -> {
                String field = KNOWN.get(data.consumeInt(0, KNOWN.size() - 1));
                JsonValue value = nonString(data);
                Map<String, String> valid = new LinkedHashMap<>();
                valid.put("type", "message");
                valid.put("target_id", "bob");
                valid.put("message", "hi");
                valid.put("sender_id", "alice");
                valid.put("client_msg_id", "c1");
                JsonObjectBuilder frame = Json.createObjectBuilder();
                valid.forEach((name, text) -> {
                    if (!name.equals(field)) {
                        frame.add(name, text);
                    }
                });
                frame.add(field, value);
                assertThat(code(frame.build().toString())).isEqualTo(ErrorCode.BAD_FRAME);
            }
            case 1 -> {
                String field = KNOWN.get(data.consumeInt(0, KNOWN.size() - 1));
                JsonObjectBuilder frame = Json.createObjectBuilder().add("target_id", "bob").add("message", "hi");
                Outcome outcome = outcome(frame.addNull(field).build().toString());
                if (field.equals("target_id") || field.equals("message")) {
                    assertThat(outcome.code()).isEqualTo(ErrorCode.BAD_FRAME);
                } else {
                    assertThat(outcome.command()).isEqualTo(new ChatCommand.Send("bob", "hi", null));
                }
            }
            case 2 -> {
                String type = data.consumeString(20);
                if (type.equals("message") || type.equals("ack") || type.equals("auth")) {
                    type += "x";
                }
                String text = Json.createObjectBuilder().add("type", type).add("target_id", "bob").add("message", "hi")
                        .build().toString();
                assertThat(code(text)).isEqualTo(ErrorCode.BAD_FRAME);
            }
            case 3 -> {
                JsonValue value = nonString(data);
                if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                    assertThat(code(value.toString())).isEqualTo(ErrorCode.BAD_FRAME);
                }
                assertThat(code(Json.createValue(message(data)).toString())).isEqualTo(ErrorCode.BAD_FRAME);
            }
            case 4 -> {
                String message = bmpMessage(data);
                int surrogate = data.consumeInt(0xD800, 0xDFFF);
                int index = data.consumeInt(0, 10_000) % (message.length() + 1);
                String before = Json.createValue(message.substring(0, index)).toString();
                String after = Json.createValue(message.substring(index)).toString();
                String value = before.substring(0, before.length() - 1) + String.format("\\u%04x", surrogate)
                        + after.substring(1);
                assertThat(code("{\"target_id\":\"bob\",\"message\":" + value + "}")).isEqualTo(ErrorCode.BAD_FRAME);
            }
            case 5 -> {
                char control = (char) data.consumeInt(0, 0x1F);
                String text = "{\"target_id\":\"bob\",\"message\":\"" + control + "\"}";
                assertThat(code(text)).isEqualTo(ErrorCode.BAD_JSON);
            }
            default -> {
                int length = data.consumeInt(1, 100_000);
                String clientMsgId = data.consumeBoolean() ? clientMsgId(data) : null;
                String message = "é".repeat(length);
                JsonObjectBuilder frame = Json.createObjectBuilder().add("target_id", "bob").add("message", message);
                if (clientMsgId != null) {
                    frame.add("client_msg_id", clientMsgId);
                }
                Outcome outcome = outcome(frame.build().toString());
                if (length > MAX_CHARS) {
                    assertThat(outcome.code()).isEqualTo(ErrorCode.TOO_LARGE);
                } else {
                    assertThat(outcome.command()).isEqualTo(new ChatCommand.Send("bob", message, clientMsgId));
                }
            }
        }
    }

    /**
     * Nesting past 32 levels, up to 300,000, anywhere in the frame, balanced or not, is
     * {@code bad_frame} within 5 s and never a stack overflow; up to 31 levels in an unknown field
     * it is ignored.
     */
    @FuzzTest(maxDuration = "2m")
    void nestingIsLimitedQuicklyAndNeverOverflows(FuzzedDataProvider data) {
        int depth = data.consumeInt(1, 300_000);
        boolean array = data.consumeBoolean();
        String close = array ? "]" : "}";
        String value = array ? "" : "1";
        String open = array ? "[" : "{\"a\":";
        if (depth <= 31) {
            String nested = open.repeat(depth) + value + close.repeat(depth);
            assertThat(outcome("{\"extra\":" + nested + ",\"target_id\":\"bob\",\"message\":\"hi\"}").command())
                    .isEqualTo(new ChatCommand.Send("bob", "hi", null));
            return;
        }
        String placement = PLACEMENTS.get(data.consumeInt(0, PLACEMENTS.size() - 1));
        boolean balanced = data.consumeBoolean();
        String nested = open.repeat(Math.max(depth, 33)) + value + (balanced ? close.repeat(Math.max(depth, 33)) : "");
        String text = placement.replace("NESTED", nested);
        ErrorCode code = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> code(text));
        assertThat(code).isEqualTo(ErrorCode.BAD_FRAME);
    }

    // ---- values drawn from the fuzzer's input

    /** 1-64 characters of a user id, never the sender's. */
    static String userId(FuzzedDataProvider data) {
        String id = mapped(data.consumeString(64), USER_ID_CHARS);
        id = id.isEmpty() ? "b" : id;
        return id.equals(ALICE.userId()) ? "b" : id;
    }

    /** Any text a user might type (controls, pairs beyond the BMP; no lone surrogates), not blank. */
    static String message(FuzzedDataProvider data) {
        String message = data.consumeString(MAX_CHARS / 2);
        return message.isBlank() ? "m" + message : message;
    }

    /** Text without any surrogate, so that one inserted stays alone; not blank, under the limit. */
    static String bmpMessage(FuzzedDataProvider data) {
        StringBuilder text = new StringBuilder();
        data.consumeString(MAX_CHARS - 1).chars().filter(c -> !Character.isSurrogate((char) c))
                .forEach(c -> text.append((char) c));
        return text.toString().isBlank() ? "m" + text : text.toString();
    }

    static String clientMsgId(FuzzedDataProvider data) {
        StringBuilder id = new StringBuilder();
        data.consumeAsciiString(64).chars().forEach(c -> id.append((char) ('!' + c % 94)));
        return id.isEmpty() ? "c" : id.toString();
    }

    static String messageId(FuzzedDataProvider data) {
        String id = mapped(data.consumeAsciiString(36), MESSAGE_ID_CHARS);
        return (id + "0".repeat(36)).substring(0, 36);
    }

    static String mapped(String text, String alphabet) {
        StringBuilder mapped = new StringBuilder();
        text.chars().forEach(c -> mapped.append(alphabet.charAt(c % alphabet.length())));
        return mapped.toString();
    }

    static String validFrame(FuzzedDataProvider data) {
        JsonObjectBuilder frame = Json.createObjectBuilder().add("target_id", userId(data)).add("message", message(data));
        if (data.consumeBoolean()) {
            frame.add("client_msg_id", clientMsgId(data));
        }
        return frame.build().toString();
    }

    /** Up to 3 fields the protocol does not know, with any JSON two levels deep. */
    static Map<String, JsonValue> unknownFields(FuzzedDataProvider data) {
        Map<String, JsonValue> fields = new LinkedHashMap<>();
        for (int n = data.consumeInt(0, 3); n > 0; n--) {
            String name = data.consumeString(12);
            fields.put(KNOWN_SET.contains(name) ? name + "_" : name, anyJson(data, 2));
        }
        return fields;
    }

    /** Any JSON value but a string or null, nested up to 4 levels. */
    static JsonValue nonString(FuzzedDataProvider data) {
        JsonValue value = anyJson(data, 4);
        return switch (value.getValueType()) {
            case STRING -> Json.createArrayBuilder().add(value).build();
            case NULL -> JsonValue.FALSE;
            default -> value;
        };
    }

    /** Any JSON value, nested up to {@code depth} levels, with numbers beyond any Java type. */
    static JsonValue anyJson(FuzzedDataProvider data, int depth) {
        int kind = data.consumeInt(0, depth == 0 ? 6 : 8);
        return switch (kind) {
            case 0 -> JsonValue.TRUE;
            case 1 -> JsonValue.FALSE;
            case 2 -> JsonValue.NULL;
            case 3 -> Json.createValue(data.consumeLong());
            case 4 -> Json.createValue(data.consumeRegularDouble());
            case 5 -> Json.createValue(new BigDecimal(HUGE_NUMBERS.get(data.consumeInt(0, HUGE_NUMBERS.size() - 1))));
            case 6 -> Json.createValue(data.consumeString(20));
            case 7 -> {
                JsonArrayBuilder array = Json.createArrayBuilder();
                for (int n = data.consumeInt(0, 3); n > 0; n--) {
                    array.add(anyJson(data, depth - 1));
                }
                yield array.build();
            }
            default -> {
                JsonObjectBuilder object = Json.createObjectBuilder();
                for (int n = data.consumeInt(0, 3); n > 0; n--) {
                    object.add(data.consumeString(6), anyJson(data, depth - 1));
                }
                yield object.build();
            }
        };
    }
}
