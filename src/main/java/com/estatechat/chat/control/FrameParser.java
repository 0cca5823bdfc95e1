package com.estatechat.chat.control;

import com.estatechat.history.control.MessageIds;
import com.estatechat.json.JsonCodec;
import com.estatechat.identity.Broadcast;
import com.estatechat.identity.Identity;
import com.estatechat.chat.entity.ChatCommand;
import com.estatechat.chat.entity.ClientFrame;
import com.estatechat.chat.entity.ErrorCode;
import com.estatechat.chat.entity.FrameRejected;
import jakarta.json.JsonException;
import jakarta.json.stream.JsonParser;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import java.util.regex.Pattern;

/** Decodes a client's text frame and checks every field; what comes out is safe to act on. */
public class FrameParser {

    static final Pattern CLIENT_MSG_ID = Pattern.compile("[\\x21-\\x7E]{1,64}");

    /** Deep enough for any extra data a client adds; a chat frame itself is flat. */
    static final int MAX_DEPTH = 32;

    /** The fields the protocol knows, in the order of {@link ClientFrame}'s components. */
    private enum Field {
        TYPE, TARGET_ID, MESSAGE, SENDER_ID, CLIENT_MSG_ID, MESSAGE_ID, ACCESS_TOKEN, SINCE;

        private static final Map<String, Field> BY_NAME = Arrays.stream(values())
                .collect(Collectors.toMap(f -> f.name().toLowerCase(Locale.ROOT), f -> f));

        /** null for a field the protocol does not know */
        static Field named(String wireName) {
            return BY_NAME.get(wireName);
        }

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final JsonCodec codec;
    private final IntSupplier maxMessageChars;

    public FrameParser(JsonCodec codec, int maxMessageChars) {
        this(codec, () -> maxMessageChars);
    }

    /** @param maxMessageChars asked for each message: the limit in force ({@code chat.max-message-chars} is live) */
    public FrameParser(JsonCodec codec, IntSupplier maxMessageChars) {
        this.codec = codec;
        this.maxMessageChars = maxMessageChars;
    }

    /**
     * @param text the frame as received
     * @param sender the connected identity; a {@code sender_id} must equal it
     * @throws FrameRejected with the protocol's error code when the frame cannot be accepted
     */
    public ChatCommand parse(String text, Identity sender) throws FrameRejected {
        ClientFrame frame = decode(text);
        String type = frame.type();
        if (type == null || ClientFrame.MESSAGE.equals(type)) {
            return send(frame, sender);
        }
        if (ClientFrame.ACK.equals(type)) {
            return new ChatCommand.Ack(messageId(frame));
        }
        if (ClientFrame.AUTH.equals(type)) {
            return renew(frame);
        }
        if (ClientFrame.READ.equals(type)) {
            return new ChatCommand.Read(messageId(frame));
        }
        if (ClientFrame.SYNC.equals(type)) {
            if (!MessageIds.isMessageId(frame.since())) {
                throw new FrameRejected(ErrorCode.BAD_FRAME, "since is missing or not a message id", null, null);
            }
            return new ChatCommand.Sync(frame.since());
        }
        throw new FrameRejected(ErrorCode.BAD_FRAME, "unknown frame type: use message, ack, read, sync or auth", null, null);
    }

    /**
     * Reads the frame event by event: strict JSON (nothing after the object), the known fields as
     * strings, unknown fields skipped. Data binding is not used because it turns a number or a
     * boolean into a string and ignores what follows the object; the nesting is counted here because
     * the parser's own limit (Parsson: 1,000 levels) ends in an unchecked exception.
     */
    private ClientFrame decode(String text) throws FrameRejected {
        EnumMap<Field, String> values = new EnumMap<>(Field.class);
        Set<Field> seen = EnumSet.noneOf(Field.class);
        FrameRejected invalid = null;
        int depth = 0;
        Field field = null;
        boolean empty = true;
        try (JsonParser json = codec.parser(text)) {
            while (json.hasNext()) {
                JsonParser.Event event = json.next();
                empty = false;
                switch (event) {
                    case START_OBJECT, START_ARRAY -> {
                        if (depth == 0 && event == JsonParser.Event.START_ARRAY || field != null) {
                            invalid = first(invalid, depth == 0 ? notAnObject() : notAString(field));
                        }
                        field = null;
                        if (++depth > MAX_DEPTH) {
                            throw new FrameRejected(ErrorCode.BAD_FRAME,
                                    "the frame is nested deeper than " + MAX_DEPTH + " levels");
                        }
                    }
                    case END_OBJECT, END_ARRAY -> depth--;
                    case KEY_NAME -> {
                        field = depth == 1 ? Field.named(json.getString()) : null;
                        if (field != null && !seen.add(field)) {
                            invalid = first(invalid, new FrameRejected(ErrorCode.BAD_FRAME,
                                    field.wireName() + " appears more than once"));
                        }
                    }
                    case VALUE_STRING -> {
                        if (depth == 0) {
                            invalid = first(invalid, notAnObject());
                        } else if (field != null) {
                            values.put(field, json.getString());
                        }
                        field = null;
                    }
                    case VALUE_NULL -> {
                        // null stands for a field that is absent, as data binding read it
                        invalid = depth == 0 ? first(invalid, notAnObject()) : invalid;
                        field = null;
                    }
                    case VALUE_NUMBER, VALUE_TRUE, VALUE_FALSE -> {
                        if (depth == 0 || field != null) {
                            invalid = first(invalid, depth == 0 ? notAnObject() : notAString(field));
                        }
                        field = null;
                    }
                }
            }
        } catch (JsonException e) {
            // JsonParsingException, also for anything after the object
            throw new FrameRejected(ErrorCode.BAD_JSON, "the frame is not valid JSON");
        }
        if (empty) {
            throw new FrameRejected(ErrorCode.BAD_JSON, "the frame is empty");
        }
        if (invalid != null) {
            throw invalid;
        }
        return new ClientFrame(values.get(Field.TYPE), values.get(Field.TARGET_ID), values.get(Field.MESSAGE),
                values.get(Field.SENDER_ID), values.get(Field.CLIENT_MSG_ID), values.get(Field.MESSAGE_ID),
                values.get(Field.ACCESS_TOKEN), values.get(Field.SINCE));
    }

    private static FrameRejected first(FrameRejected found, FrameRejected next) {
        return found != null ? found : next;
    }

    private static FrameRejected notAnObject() {
        return new FrameRejected(ErrorCode.BAD_FRAME, "a frame is a JSON object");
    }

    private static FrameRejected notAString(Field field) {
        return new FrameRejected(ErrorCode.BAD_FRAME, field.wireName() + " must be a string");
    }

    private ChatCommand.Send send(ClientFrame frame, Identity sender) throws FrameRejected {
        String clientMsgId = frame.clientMsgId();
        if (clientMsgId != null && !CLIENT_MSG_ID.matcher(clientMsgId).matches()) {
            throw new FrameRejected(ErrorCode.BAD_FRAME, "client_msg_id must be 1-64 printable ASCII characters");
        }
        if (frame.targetId() == null) {
            throw rejected(ErrorCode.BAD_FRAME, "target_id is missing", clientMsgId);
        }
        boolean broadcast = Broadcast.isBroadcast(frame.targetId());
        if (broadcast ? !Broadcast.isValid(frame.targetId()) : !Identity.isValidUserId(frame.targetId())) {
            throw rejected(ErrorCode.BAD_FRAME, "target_id must be a user id (1-64 characters of A-Z a-z 0-9 _ . -) "
                    + "or role:admin, role:landlord, role:tenant, role:*", clientMsgId);
        }
        if (frame.message() == null || frame.message().isBlank()) {
            throw rejected(ErrorCode.BAD_FRAME, "message is missing or empty", clientMsgId);
        }
        if (!isUnicodeText(frame.message())) {
            // a lone surrogate (from a \\ud800 escape) has no UTF-8 form: the recipient would get a '?'
            throw rejected(ErrorCode.BAD_FRAME, "message is not valid Unicode text (a lone surrogate)", clientMsgId);
        }
        int limit = maxMessageChars.getAsInt();
        if (frame.message().length() > limit) {
            throw rejected(ErrorCode.TOO_LARGE, "message is longer than " + limit + " characters",
                    clientMsgId);
        }
        if (frame.senderId() != null && !frame.senderId().equals(sender.userId())) {
            throw rejected(ErrorCode.SENDER_MISMATCH, "sender_id must be the connected user", clientMsgId);
        }
        if (frame.targetId().equals(sender.userId())) {
            throw rejected(ErrorCode.SELF_TARGET, "you cannot send a message to yourself", clientMsgId);
        }
        return new ChatCommand.Send(frame.targetId(), frame.message(), clientMsgId);
    }

    private static boolean isUnicodeText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** Only its presence is checked here: whether the token is good is the authenticator's to say. */
    private static ChatCommand.Renew renew(ClientFrame frame) throws FrameRejected {
        String token = frame.accessToken();
        if (token == null || token.isBlank()) {
            throw new FrameRejected(ErrorCode.BAD_FRAME, "access_token is missing or empty");
        }
        return new ChatCommand.Renew(token.strip());
    }

    private static String messageId(ClientFrame frame) throws FrameRejected {
        String id = frame.messageId();
        if (!MessageIds.isMessageId(id)) {
            throw new FrameRejected(ErrorCode.BAD_FRAME, "message_id is missing or not a message id", null, null);
        }
        return id;
    }

    private static FrameRejected rejected(ErrorCode code, String text, String clientMsgId) {
        return new FrameRejected(code, text, clientMsgId, null);
    }
}
