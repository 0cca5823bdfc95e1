package com.estatechat.chat.control;

/**
 * Joins the parts of one connection's text messages, as the container hands them over, and says as
 * soon as a message passes its limit in UTF-8 bytes: Undertow (WildFly) checks the session's text
 * buffer size only once a frame has fully arrived, so a whole-message handler let one frame of any
 * size gather in memory. Called by the connection's container thread only, one part at a time.
 */
public final class TextParts {

    private final long limitBytes;
    private final StringBuilder text = new StringBuilder();
    private long bytes;

    public TextParts(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    /** Adds the next part of the message; false once the message is over the limit (nothing is kept then). */
    public boolean add(String part) {
        bytes += utf8Bytes(part);
        if (bytes > limitBytes) {
            text.setLength(0);
            text.trimToSize();
            return false;
        }
        text.append(part);
        return true;
    }

    /** The message of the parts added since the last call, which start the next one. */
    public String take() {
        String message = text.toString();
        text.setLength(0);
        bytes = 0;
        return message;
    }

    /** Exact also when a surrogate pair is split between parts: each half counts 2 of its 4 bytes. */
    static long utf8Bytes(String part) {
        long count = 0;
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            count += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return count;
    }
}
