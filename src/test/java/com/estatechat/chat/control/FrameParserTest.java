package com.estatechat.chat.control;

import com.estatechat.json.JsonCodec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.estatechat.identity.Identity;
import com.estatechat.identity.Role;
import com.estatechat.chat.entity.ChatCommand;
import com.estatechat.chat.entity.ErrorCode;
import com.estatechat.chat.entity.ErrorFrame;
import com.estatechat.chat.entity.FrameRejected;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrameParserTest {

    static final Identity ALICE = Identity.of("alice", Role.TENANT);
    static final String ID = "0190c5a2-7b1e-7c3d-8e4f-123456789abc";

    final JsonCodec codec = new JsonCodec();
    final FrameParser cut = new FrameParser(codec, 10);

    @Test
    void originalPayloadWithoutTypeIsAMessage() throws FrameRejected {
        ChatCommand command = cut.parse("{\"target_id\":\"bob\",\"message\":\"hi\",\"sender_id\":\"alice\"}", ALICE);
        assertThat(command).isEqualTo(new ChatCommand.Send("bob", "hi", null));
    }

    @Test
    void typedMessageKeepsClientMessageId() throws FrameRejected {
        ChatCommand command = cut.parse(
                "{\"type\":\"message\",\"target_id\":\"bob\",\"message\":\"hi\",\"client_msg_id\":\"c-1\"}", ALICE);
        assertThat(command).isEqualTo(new ChatCommand.Send("bob", "hi", "c-1"));
    }

    @Test
    void ackCarriesTheMessageId() throws FrameRejected {
        assertThat(cut.parse("{\"type\":\"ack\",\"message_id\":\"" + ID + "\"}", ALICE))
                .isEqualTo(new ChatCommand.Ack(ID));
    }

    @Test
    void unknownFieldsAreIgnored() throws FrameRejected {
        assertThat(cut.parse("{\"target_id\":\"bob\",\"message\":\"hi\",\"extra\":{\"a\":1}}", ALICE))
                .isEqualTo(new ChatCommand.Send("bob", "hi", null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{", "{\"target_id\":", "{\"target_id\":\"bob\",}"})
    void brokenJsonIsBadJson(String text) {
        assertThat(rejection(text).code()).isEqualTo(ErrorCode.BAD_JSON);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"text\"", "42", "null", "{\"target_id\":{\"x\":1},\"message\":\"hi\"}",
        "{\"type\":\"dance\"}", "{\"message\":\"hi\"}", "{\"target_id\":\"bob\"}",
        "{\"target_id\":\"bob\",\"message\":\"   \"}", "{\"target_id\":\"bob bob\",\"message\":\"hi\"}",
        "{\"type\":\"ack\"}", "{\"type\":\"ack\",\"message_id\":\"../../etc\"}",
        "{\"target_id\":\"bob\",\"message\":\"hi\",\"client_msg_id\":\"has space\"}"})
    void invalidFramesAreBadFrame(String text) {
        assertThat(rejection(text).code()).isEqualTo(ErrorCode.BAD_FRAME);
    }

    @ParameterizedTest
    @ValueSource(strings = {"role:tenant", "role:landlord", "role:admin", "role:*"})
    void broadcastTargetsAreAccepted(String target) throws FrameRejected {
        assertThat(cut.parse("{\"target_id\":\"" + target + "\",\"message\":\"hi\"}", ALICE))
                .isEqualTo(new ChatCommand.Send(target, "hi", null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"role:owner", "role:", "role:**", "tenant:role"})
    void unknownBroadcastTargetsAreBadFrame(String target) {
        assertThat(rejection("{\"target_id\":\"" + target + "\",\"message\":\"hi\"}").code())
                .isEqualTo(ErrorCode.BAD_FRAME);
    }

    @Test
    void targetIdLongerThan64IsBadFrame() {
        String longId = "x".repeat(65);
        assertThat(rejection("{\"target_id\":\"" + longId + "\",\"message\":\"hi\"}").code())
                .isEqualTo(ErrorCode.BAD_FRAME);
    }

    @Test
    void overlongMessageIsTooLargeAndEchoesTheClientId() {
        FrameRejected rejected = rejection(
                "{\"target_id\":\"bob\",\"message\":\"12345678901\",\"client_msg_id\":\"c-9\"}");
        assertThat(rejected.code()).isEqualTo(ErrorCode.TOO_LARGE);
        ErrorFrame frame = rejected.toFrame();
        assertThat(frame.code()).isEqualTo("too_large");
        assertThat(frame.clientMsgId()).isEqualTo("c-9");
        assertThat(codec.toJson(frame)).contains("\"type\":\"error\"", "\"client_msg_id\":\"c-9\"");
    }

    @CsvSource({"mallory,sender_mismatch", "alice,self_target"})
    @ParameterizedTest
    void senderAndTargetAreCheckedAgainstTheConnectedUser(String who, String code) {
        String frame = code.equals("self_target") ? "{\"target_id\":\"alice\",\"message\":\"hi\"}"
                : "{\"target_id\":\"bob\",\"message\":\"hi\",\"sender_id\":\"" + who + "\"}";
        assertThat(rejection(frame).code().wireName()).isEqualTo(code);
    }

    @Test
    void aSyncFrameNamesTheLastMessageTheDeviceHas() throws FrameRejected {
        assertThat(cut.parse("{\"type\":\"sync\",\"since\":\"" + ID + "\"}", ALICE))
                .isEqualTo(new ChatCommand.Sync(ID));
        assertThat(rejection("{\"type\":\"sync\"}").code()).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(rejection("{\"type\":\"sync\",\"since\":\"yesterday\"}").getMessage()).contains("since");
        assertThat(rejection("{\"type\":\"sync\",\"since\":1}").code()).isEqualTo(ErrorCode.BAD_FRAME);
    }

    @Test
    void aReadFrameNamesTheMessageRead() throws FrameRejected {
        assertThat(cut.parse("{\"type\":\"read\",\"message_id\":\"" + ID + "\"}", ALICE))
                .isEqualTo(new ChatCommand.Read(ID));
        assertThat(rejection("{\"type\":\"read\"}").code()).isEqualTo(ErrorCode.BAD_FRAME);
    }

    @ParameterizedTest
    @ValueSource(ints = {33, 1_001, 100_000})
    void deepNestingIsBadFrameAndNeverAnUncheckedException(int depth) {
        // Parsson stops at 1,000 levels with a bare RuntimeException, which escaped the endpoint
        String open = "[".repeat(depth);
        String close = "]".repeat(depth);
        for (String text : new String[] {open, open + close, "{\"target_id\":\"bob\",\"message\":" + open + close + "}",
            "{\"extra\":" + open + close + ",\"target_id\":\"bob\",\"message\":\"hi\"}",
            "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)}) {
            assertThat(rejection(text)).as(text.substring(0, Math.min(40, text.length()))).extracting(FrameRejected::code)
                    .isEqualTo(ErrorCode.BAD_FRAME);
        }
    }

    @Test
    void nestingWithinTheLimitInAnUnknownFieldIsIgnored() throws FrameRejected {
        int inside = FrameParser.MAX_DEPTH - 1; // the frame's own object is the first level
        String extra = "[".repeat(inside) + "]".repeat(inside);
        assertThat(cut.parse("{\"extra\":" + extra + ",\"target_id\":\"bob\",\"message\":\"hi\"}", ALICE))
                .isEqualTo(new ChatCommand.Send("bob", "hi", null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"target_id\":\"bob\",\"message\":42}", "{\"target_id\":\"bob\",\"message\":true}",
        "{\"target_id\":12345,\"message\":\"hi\"}", "{\"target_id\":\"bob\",\"message\":1e999999999}",
        "{\"target_id\":\"bob\",\"message\":\"hi\",\"client_msg_id\":7}",
        "{\"target_id\":\"bob\",\"message\":\"hi\",\"sender_id\":false}",
        "{\"type\":5,\"target_id\":\"bob\",\"message\":\"hi\"}",
        "{\"type\":\"ack\",\"message_id\":[\"0190c5a2-7b1e-7c3d-8e4f-123456789abc\"]}"})
    void numbersBooleansAndStructuresWhereStringsBelongAreBadFrame(String text) {
        // data binding had turned 42 into "42" and sent it
        FrameRejected rejected = rejection(text);
        assertThat(rejected.code()).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(rejected.getMessage()).endsWith("must be a string");
    }

    @Test
    void hugeNumbersInUnknownFieldsAreIgnoredWithoutBeingConverted() throws FrameRejected {
        assertThat(cut.parse("{\"n\":1e999999999,\"m\":-0.0e-99999999999,\"target_id\":\"bob\",\"message\":\"hi\"}",
                ALICE)).isEqualTo(new ChatCommand.Send("bob", "hi", null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"target_id\":\"bob\",\"message\":\"hi\"} trailing",
        "{\"target_id\":\"bob\",\"message\":\"hi\"}{}", "{\"target_id\":\"bob\",\"message\":\"hi\"},",
        "{\"target_id\":\"bob\",\"message\":\"hi\"}]"})
    void anythingAfterTheObjectIsBadJson(String text) {
        // data binding had read the first object and ignored the rest
        assertThat(rejection(text).code()).isEqualTo(ErrorCode.BAD_JSON);
    }

    @Test
    void whitespaceAroundTheObjectIsFine() throws FrameRejected {
        assertThat(cut.parse(" \r\n\t{\"target_id\":\"bob\",\"message\":\"hi\"}\n ", ALICE))
                .isEqualTo(new ChatCommand.Send("bob", "hi", null));
    }

    @Test
    void aRepeatedFieldIsBadFrame() {
        // which one counts differs between JSON parsers: a proxy and this server could disagree
        FrameRejected rejected = rejection("{\"target_id\":\"bob\",\"message\":\"hi\",\"target_id\":\"carol\"}");
        assertThat(rejected.code()).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(rejected.getMessage()).contains("target_id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\ud800", "a\\udc00b", "\\ud83d", "x\\ude00\\ud83d"})
    void aLoneSurrogateInTheMessageIsBadFrame(String escaped) {
        // it has no UTF-8 form: the recipient got a '?' in its place
        assertThat(rejection("{\"target_id\":\"bob\",\"message\":\"" + escaped + "\"}").code())
                .isEqualTo(ErrorCode.BAD_FRAME);
    }

    @Test
    void escapedPairsAndControlCharactersArriveAsTheyWere() throws FrameRejected {
        assertThat(cut.parse("{\"target_id\":\"bob\",\"message\":\"\\ud83d\\ude00\\u0000\\t\"}", ALICE))
                .isEqualTo(new ChatCommand.Send("bob", "\ud83d\ude00\u0000\t", null));
    }

    @Test
    void aRawControlCharacterInAStringIsBadJson() {
        assertThat(rejection("{\"target_id\":\"bob\",\"message\":\"a\u0001b\"}").code())
                .isEqualTo(ErrorCode.BAD_JSON);
    }

    @ParameterizedTest
    @ValueSource(strings = {"<script>", "\\ud800", "../../etc/passwd"})
    void aReadFrameEchoesNothingItWasGiven(String messageId) {
        // it went back verbatim: up to a frame's size of anything, or a lone surrogate
        assertThat(rejection("{\"type\":\"read\",\"message_id\":\"" + messageId + "\"}").toFrame().messageId())
                .isNull();
    }

    @Test
    void anAuthFrameCarriesTheTokenAndNeverShowsItWhenPrinted() throws FrameRejected {
        ChatCommand command = cut.parse("{\"type\":\"auth\",\"access_token\":\"eyJ.a-b_c.d\"}", ALICE);
        assertThat(command).isEqualTo(new ChatCommand.Renew("eyJ.a-b_c.d"));
        assertThat(command.toString()).doesNotContain("eyJ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"auth\"}", "{\"type\":\"auth\",\"access_token\":\"\"}",
        "{\"type\":\"auth\",\"access_token\":\"  \"}", "{\"type\":\"auth\",\"access_token\":null}",
        "{\"type\":\"auth\",\"access_token\":42}", "{\"type\":\"auth\",\"access_token\":[\"t\"]}",
        "{\"type\":\"auth\",\"access_token\":\"a\",\"access_token\":\"b\"}"})
    void anAuthFrameWithoutOneStringTokenIsBadFrame(String text) {
        assertThat(rejection(text).code()).isEqualTo(ErrorCode.BAD_FRAME);
    }

    @Test
    void anAccessTokenInAMessageIsIgnored() throws FrameRejected {
        assertThat(cut.parse("{\"target_id\":\"bob\",\"message\":\"hi\",\"access_token\":\"t\"}", ALICE))
                .isEqualTo(new ChatCommand.Send("bob", "hi", null));
    }

    private FrameRejected rejection(String text) {
        return catchThrowableOfType(FrameRejected.class, () -> cut.parse(text, ALICE));
    }
}
