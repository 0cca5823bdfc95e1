package com.estatechat.chat.entity;

/** A client frame that passed validation: what the user asked the server to do. */
public sealed interface ChatCommand {

    /** Send {@code message} to {@code targetId}; {@code clientMsgId} is echoed in receipts and errors. */
    record Send(String targetId, String message, String clientMsgId) implements ChatCommand {
    }

    /** The client has message {@code messageId}: remove it from the inbox, tell the sender. */
    record Ack(String messageId) implements ChatCommand {
    }

    /** The user has read {@code messageId} and every earlier message from the same sender. */
    record Read(String messageId) implements ChatCommand {
    }

    /** Send this device what the store has for the user after {@code since}: what it missed. */
    record Sync(String since) implements ChatCommand {
    }

    /** Renew the connection's credentials in place with a fresh {@code accessToken} for the same user. */
    record Renew(String accessToken) implements ChatCommand {

        /** Never the token itself: a command may end up in a log line. */
        @Override
        public String toString() {
            return "Renew[accessToken=<" + accessToken.length() + " characters>]";
        }
    }
}
