package com.estatechat.chat.entity;

/** Sent right after the upgrade: who the server thinks you are, and how often it pings. */
public record ConnectedFrame(String type, String userId, String role, long heartbeatS) {

    public static ConnectedFrame of(String userId, String role, long heartbeatS) {
        return new ConnectedFrame("connected", userId, role, heartbeatS);
    }
}
