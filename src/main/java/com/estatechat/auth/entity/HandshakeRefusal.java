package com.estatechat.auth.entity;

/** Why a WebSocket handshake was refused, as the HTTP status sent back before any upgrade. */
public record HandshakeRefusal(int status, String reason) {

    public static HandshakeRefusal badRequest(String reason) {
        return new HandshakeRefusal(400, reason);
    }

    public static HandshakeRefusal unauthorized(String reason) {
        return new HandshakeRefusal(401, reason);
    }

    public static HandshakeRefusal forbidden(String reason) {
        return new HandshakeRefusal(403, reason);
    }
}
