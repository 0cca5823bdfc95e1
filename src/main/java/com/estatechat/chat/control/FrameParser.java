package com.estatechat.chat.control;

import com.estatechat.auth.entity.Broadcast;
import com.estatechat.auth.entity.Identity;
import com.estatechat.chat.entity.ChatCommand;
import com.estatechat.chat.entity.ClientFrame;
import com.estatechat.chat.entity.ErrorCode;
import com.estatechat.chat.entity.FrameRejected;
import jakarta.json.bind.JsonbException;
import java.util.regex.Pattern;

/** Decodes a client's text frame and checks every field; what comes out is safe to act on. */
public class FrameParser {

    static final Pattern CLIENT_MSG_ID = Pattern.compile("[\\x21-\\x7E]{1,64}");
    static final Pattern MESSAGE_ID = Pattern.compile("[0-9a-f-]{36}");

    private final FrameCodec codec;
    private final int maxMessageChars;

    public FrameParser(FrameCodec codec, int maxMessageChars) {
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
        if (ClientFrame.READ.equals(type)) {
            throw new FrameRejected(ErrorCode.BAD_FRAME, "read receipts are not supported by this server", null,
                    frame.messageId());
        }
        throw new FrameRejected(ErrorCode.BAD_FRAME, "unknown frame type: use message or ack", null, null);
    }

    private ClientFrame decode(String text) throws FrameRejected {
        ClientFrame frame;
        try {
            frame = codec.fromJson(text, ClientFrame.class);
        } catch (JsonbException | ClassCastException e) {
            if (codec.isWellFormed(text)) {
                throw new FrameRejected(ErrorCode.BAD_FRAME, "a frame is a JSON object whose fields are strings");
            }
            throw new FrameRejected(ErrorCode.BAD_JSON, "the frame is not valid JSON");
        }
        if (frame == null) {
            throw new FrameRejected(ErrorCode.BAD_FRAME, "a frame is a JSON object");
        }
        return frame;
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
        if (frame.message().length() > maxMessageChars) {
            throw rejected(ErrorCode.TOO_LARGE, "message is longer than " + maxMessageChars + " characters",
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

    private static String messageId(ClientFrame frame) throws FrameRejected {
        String id = frame.messageId();
        if (id == null || !MESSAGE_ID.matcher(id).matches()) {
            throw new FrameRejected(ErrorCode.BAD_FRAME, "message_id is missing or not a message id", null, null);
        }
        return id;
    }

    private static FrameRejected rejected(ErrorCode code, String text, String clientMsgId) {
        return new FrameRejected(code, text, clientMsgId, null);
    }
}
