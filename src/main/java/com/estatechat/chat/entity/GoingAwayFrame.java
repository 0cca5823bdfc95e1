package com.estatechat.chat.entity;

/**
 * The server is about to close the connection (it is shutting down): send nothing more on it, and
 * send again, once connected again, what the server refuses meanwhile. Answers to what was sent
 * before still come, then the close (1001).
 */
public record GoingAwayFrame(String type, String message) {

    public static GoingAwayFrame of(String message) {
        return new GoingAwayFrame("going_away", message);
    }
}
