package com.estatechat.chat.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.estatechat.auth.entity.Identity;
import com.estatechat.auth.entity.Role;
import com.estatechat.chat.entity.ChatCommand;
import com.estatechat.chat.entity.ErrorCode;
import com.estatechat.chat.entity.FrameRejected;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.StringLength;

/**
 * Properties of the frame decoder over generated input: whatever a client sends, the parser
 * answers with a command or a refusal carrying a protocol error code, never another exception and
 * never slowly. Valid frames decode to exactly the fields they were written with.
 */
class FrameParserProperties {

    static final Identity ALICE = Identity.of("alice", Role.TENANT);
    static final int MAX_CHARS = 200;
    static final Set<String> KNOWN = Set.of("type", "target_id", "message", "sender_id", "client_msg_id",
            "message_id");

    final FrameParser cut = new FrameParser(new FrameCodec(), MAX_CHARS);

    /** The outcome of one parse: a command, or the refusal's code; anything else fails the property. */
    record Outcome(ChatCommand command, ErrorCode code) {
    }

    Outcome outcome(String text) {
        try {
            return new Outcome(cut.parse(text, ALICE), null);
        } catch (FrameRejected rejected) {
            assertThat(rejected.getMessage()).isNotBlank();
            return new Outcome(null, rejected.code());
        }
    }

    /** The code of the refusal; fails the property when the text is accepted. */
    ErrorCode code(String text) {
        FrameRejected rejected = catchThrowableOfType(FrameRejected.class, () -> cut.parse(text, ALICE));
        assertThat(rejected).as("refusal of %.200s", text).isNotNull();
        return rejected.code();
    }

    @Property(tries = 2000)
    void anyTextIsACommandOrARefusal(@ForAll("jsonish") String text) {
        Outcome outcome = outcome(text);
        assertThat(outcome.command() != null || outcome.code() != null).isTrue();
    }

    @Property(tries = 500)
    void anyUnicodeTextIsACommandOrARefusal(@ForAll @StringLength(max = 300) String text) {
        outcome(text);
    }

    @Property
    void aValidMessageDecodesToTheFieldsItWasWrittenWith(@ForAll("userIds") String target,
            @ForAll("messages") String message, @ForAll("clientMsgIds") Optional<String> clientMsgId,
            @ForAll boolean typed, @ForAll boolean withSender, @ForAll("unknownFields") Map<String, JsonValue> extra) {
        JsonObjectBuilder frame = Json.createObjectBuilder();
        extra.forEach(frame::add);
        frame.add("target_id", target).add("message", message);
        clientMsgId.ifPresent(id -> frame.add("client_msg_id", id));
        if (typed) {
            frame.add("type", "message");
        }
        if (withSender) {
            frame.add("sender_id", ALICE.userId());
        }
        assertThat(outcome(frame.build().toString()))
                .isEqualTo(new Outcome(new ChatCommand.Send(target, message, clientMsgId.orElse(null)), null));
    }

    @Property
    void anAckDecodesToItsMessageId(@ForAll("messageIds") String messageId,
            @ForAll("unknownFields") Map<String, JsonValue> extra) {
        JsonObjectBuilder frame = Json.createObjectBuilder();
        extra.forEach(frame::add);
        String text = frame.add("type", "ack").add("message_id", messageId).build().toString();
        assertThat(outcome(text)).isEqualTo(new Outcome(new ChatCommand.Ack(messageId), null));
    }

    @Property
    void everyProperPrefixOfAValidFrameIsBadJson(@ForAll("validFrames") String frame,
            @ForAll @IntRange(min = 0, max = 10_000) int cut) {
        String prefix = frame.substring(0, cut % frame.length());
        assertThat(code(prefix)).isEqualTo(ErrorCode.BAD_JSON);
    }

    @Property
    void anythingButWhitespaceAfterTheFrameIsBadJson(@ForAll("validFrames") String frame,
            @ForAll("jsonish") String tail) {
        String trailing = tail.strip().isEmpty() ? "x" : tail;
        assertThat(code(frame + trailing)).isEqualTo(ErrorCode.BAD_JSON);
    }

    @Property
    void aMutatedValidFrameIsStillACommandOrARefusal(@ForAll("validFrames") String frame,
            @ForAll @IntRange(min = 0, max = 10_000) int at, @ForAll char replacement) {
        int index = at % frame.length();
        outcome(frame.substring(0, index) + replacement + frame.substring(index + 1));
        outcome(frame.substring(0, index) + frame.substring(index + 1));
    }

    @Property
    void aValueThatIsNotAStringInAKnownFieldIsBadFrame(@ForAll("knownFields") String field,
            @ForAll("nonStrings") JsonValue value) {
        Map<String, String> valid = Map.of("type", "message", "target_id", "bob", "message", "hi", "sender_id",
                "alice", "client_msg_id", "c1");
        JsonObjectBuilder frame = Json.createObjectBuilder();
        valid.forEach((name, text) -> {
            if (!name.equals(field)) {
                frame.add(name, text);
            }
        });
        frame.add(field, value);
        assertThat(code(frame.build().toString())).isEqualTo(ErrorCode.BAD_FRAME);
    }

    @Property
    void nullStandsForAnAbsentField(@ForAll("knownFields") String field) {
        JsonObjectBuilder frame = Json.createObjectBuilder().add("target_id", "bob").add("message", "hi");
        Outcome outcome = outcome(frame.addNull(field).build().toString());
        if (field.equals("target_id") || field.equals("message")) {
            assertThat(outcome.code()).isEqualTo(ErrorCode.BAD_FRAME);
        } else {
            assertThat(outcome.command()).isEqualTo(new ChatCommand.Send("bob", "hi", null));
        }
    }

    @Property(tries = 300)
    void deepNestingIsBadFrameQuicklyAndNeverOverflows(@ForAll @IntRange(min = 33, max = 300_000) int depth,
            @ForAll("openers") String opener, @ForAll("placements") String placement, @ForAll boolean balanced) {
        String close = opener.equals("[") ? "]" : "}";
        String value = opener.equals("[") ? "" : "1";
        String open = opener.equals("[") ? "[" : "{\"a\":";
        String nested = open.repeat(depth) + value + (balanced ? close.repeat(depth) : "");
        String text = placement.replace("NESTED", nested);
        ErrorCode code = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> code(text));
        assertThat(code).isEqualTo(ErrorCode.BAD_FRAME);
    }

    @Property
    void nestingWithinTheLimitInAnUnknownFieldIsIgnored(@ForAll @IntRange(min = 1, max = 31) int depth,
            @ForAll("openers") String opener) {
        String nested = opener.equals("[") ? "[".repeat(depth) + "]".repeat(depth)
                : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
        assertThat(outcome("{\"extra\":" + nested + ",\"target_id\":\"bob\",\"message\":\"hi\"}").command())
                .isEqualTo(new ChatCommand.Send("bob", "hi", null));
    }

    @Property(tries = 200)
    void aMessageOverTheLimitIsTooLargeAndAtTheLimitIsSent(@ForAll @IntRange(min = 1, max = 100_000) int length,
            @ForAll("clientMsgIds") Optional<String> clientMsgId) {
        String message = "é".repeat(length);
        JsonObjectBuilder frame = Json.createObjectBuilder().add("target_id", "bob").add("message", message);
        clientMsgId.ifPresent(id -> frame.add("client_msg_id", id));
        Outcome outcome = outcome(frame.build().toString());
        if (length > MAX_CHARS) {
            assertThat(outcome.code()).isEqualTo(ErrorCode.TOO_LARGE);
        } else {
            assertThat(outcome.command()).isEqualTo(new ChatCommand.Send("bob", message, clientMsgId.orElse(null)));
        }
    }

    @Property
    void aLoneSurrogateAnywhereInTheMessageIsBadFrame(@ForAll("bmpMessages") String message,
            @ForAll @IntRange(min = 0xD800, max = 0xDFFF) int surrogate, @ForAll @IntRange(max = 10_000) int at) {
        int index = at % (message.length() + 1);
        String before = Json.createValue(message.substring(0, index)).toString();
        String after = Json.createValue(message.substring(index)).toString();
        String value = before.substring(0, before.length() - 1) + String.format("\\u%04x", surrogate)
                + after.substring(1);
        assertThat(code("{\"target_id\":\"bob\",\"message\":" + value + "}")).isEqualTo(ErrorCode.BAD_FRAME);
    }

    @Property
    void aRawControlCharacterInsideAStringIsBadJson(@ForAll @IntRange(min = 0, max = 0x1F) int control) {
        String text = "{\"target_id\":\"bob\",\"message\":\"" + (char) control + "\"}";
        assertThat(code(text)).isEqualTo(ErrorCode.BAD_JSON);
    }

    @Property
    void anUnknownTypeIsBadFrame(@ForAll("types") String type) {
        String text = Json.createObjectBuilder().add("type", type).add("target_id", "bob").add("message", "hi")
                .build().toString();
        assertThat(code(text)).isEqualTo(ErrorCode.BAD_FRAME);
    }

    @Property
    void aTopLevelValueThatIsNotAnObjectIsBadFrame(@ForAll("nonStrings") JsonValue value,
            @ForAll("messages") String text) {
        Assume.that(value.getValueType() != JsonValue.ValueType.OBJECT);
        assertThat(code(value.toString())).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(code(Json.createValue(text).toString())).isEqualTo(ErrorCode.BAD_FRAME);
    }

    // ---- generators

    @Provide
    Arbitrary<String> jsonish() {
        Arbitrary<String> tokens = Arbitraries.oneOf(
                Arbitraries.of("{", "}", "[", "]", ":", ",", "\"", "\\", "\\u", "\\ud800", "null", "true", "false",
                        "-", "1e999999", "0", ".", " ", "\n", "\u0000", "\u001f", "\ufeff", "\"type\"",
                        "\"target_id\"", "\"message\"", "\"ack\"", "\"bob\"", "\"alice\"", "\"message_id\""),
                Arbitraries.strings().ofMaxLength(4));
        return tokens.list().ofMaxSize(40).map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<String> userIds() {
        return Arbitraries.strings().withChars("abcXYZ019_.-").ofMinLength(1).ofMaxLength(64)
                .filter(id -> !id.equals(ALICE.userId()));
    }

    /** Any text a user might type, with control characters and pairs outside the BMP; no lone surrogates. */
    @Provide
    Arbitrary<String> messages() {
        Arbitrary<String> chars = Arbitraries.oneOf(
                Arbitraries.chars().all().filter(c -> !Character.isSurrogate(c)).map(String::valueOf),
                Arbitraries.chars().range('\u0000', '\u001f').map(String::valueOf),
                Arbitraries.of("\"", "\\", "/", "😀", "𝄞", "\u2028", "\u0085", "\ufeff"));
        return chars.list().ofMinSize(1).ofMaxSize(MAX_CHARS / 2).map(parts -> String.join("", parts))
                .filter(text -> !text.isBlank());
    }

    /** Text without any surrogate, so that one inserted stays alone. */
    @Provide
    Arbitrary<String> bmpMessages() {
        return Arbitraries.strings().all().excludeChars(surrogates()).ofMinLength(1).ofMaxLength(MAX_CHARS - 1)
                .filter(text -> !text.isBlank());
    }

    private static char[] surrogates() {
        char[] all = new char[0xE000 - 0xD800];
        for (int i = 0; i < all.length; i++) {
            all[i] = (char) (0xD800 + i);
        }
        return all;
    }

    @Provide
    Arbitrary<Optional<String>> clientMsgIds() {
        return Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(64).optional();
    }

    @Provide
    Arbitrary<String> messageIds() {
        return Arbitraries.strings().withChars("0123456789abcdef-").ofLength(36);
    }

    @Provide
    Arbitrary<String> knownFields() {
        return Arbitraries.of(KNOWN);
    }

    @Provide
    Arbitrary<String> types() {
        return Arbitraries.strings().ofMaxLength(20).filter(t -> !t.equals("message") && !t.equals("ack"));
    }

    @Provide
    Arbitrary<String> openers() {
        return Arbitraries.of("[", "{");
    }

    @Provide
    Arbitrary<String> placements() {
        return Arbitraries.of("NESTED", "{\"target_id\":\"bob\",\"message\":NESTED}",
                "{\"extra\":NESTED,\"target_id\":\"bob\",\"message\":\"hi\"}", "{\"type\":NESTED}",
                "[NESTED]");
    }

    @Provide
    Arbitrary<Map<String, JsonValue>> unknownFields() {
        Arbitrary<String> names = Arbitraries.strings().ofMaxLength(12).filter(name -> !KNOWN.contains(name));
        return Arbitraries.maps(names, anyJson(2)).ofMaxSize(3);
    }

    @Provide
    Arbitrary<JsonValue> nonStrings() {
        return anyJson(4).filter(value -> value.getValueType() != JsonValue.ValueType.STRING
                && value.getValueType() != JsonValue.ValueType.NULL);
    }

    @Provide
    Arbitrary<String> validFrames() {
        return Combinators.combine(userIds(), messages(), clientMsgIds())
                .as((target, message, id) -> {
                    JsonObjectBuilder frame = Json.createObjectBuilder().add("target_id", target)
                            .add("message", message);
                    id.ifPresent(value -> frame.add("client_msg_id", value));
                    return frame.build().toString();
                });
    }

    /** Any JSON value, nested up to {@code depth} levels, with numbers beyond any Java type. */
    Arbitrary<JsonValue> anyJson(int depth) {
        Arbitrary<JsonValue> leaves = Arbitraries.oneOf(
                Arbitraries.of(JsonValue.TRUE, JsonValue.FALSE, JsonValue.NULL),
                Arbitraries.longs().map(Json::createValue),
                Arbitraries.doubles().map(Json::createValue),
                Arbitraries.of("1e999999999", "-1E-999999999", "123456789012345678901234567890", "-0")
                        .map(number -> Json.createValue(new java.math.BigDecimal(number))),
                Arbitraries.strings().ofMaxLength(20).map(Json::createValue));
        if (depth == 0) {
            return leaves;
        }
        Arbitrary<JsonValue> arrays = anyJson(depth - 1).list().ofMaxSize(3).map(items -> {
            JsonArrayBuilder array = Json.createArrayBuilder();
            items.forEach(array::add);
            return array.build();
        });
        Arbitrary<JsonValue> objects = Arbitraries.maps(Arbitraries.strings().ofMaxLength(6), anyJson(depth - 1))
                .ofMaxSize(3).map(fields -> {
                    JsonObjectBuilder object = Json.createObjectBuilder();
                    fields.forEach(object::add);
                    return object.build();
                });
        return Arbitraries.frequencyOf(Tuple.of(3, leaves), Tuple.of(1, arrays),
                Tuple.of(1, objects));
    }
}
