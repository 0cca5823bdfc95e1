package com.estatechat.container.control;

import java.util.Optional;

/**
 * Follows the frames a client sends on one WebSocket (RFC 6455 §5.2), reading only their headers,
 * and finds the first data frame that announces more payload than the limit, before any of that
 * payload is read. Control frames are left to the container (it refuses one over 125 bytes from
 * its header). Not thread-safe: one reader, the connection's.
 */
public final class FrameScanner {

    /** What the refused frame carries: the message it starts or continues. */
    public enum Kind { TEXT, BINARY, OTHER }

    /** A data frame over the limit: what it carries and the payload it announced. */
    public record Refusal(Kind kind, long announcedBytes) {
    }

    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;
    private static final int CONTINUATION = 0x0;

    private final long limit;
    private final byte[] header = new byte[14];
    private int headerBytes;
    /** The payload still to come of the current frame; while it is above zero, bytes are payload. */
    private long payloadLeft;
    /** The opcode of the fragmented message in progress, or -1. */
    private int messageOpcode = -1;
    private Refusal refusal;

    public FrameScanner(long limit) {
        this.limit = limit;
    }

    /**
     * Scans the next {@code length} bytes of the stream.
     *
     * @return how many of them come before a refused frame's header ended (all of them when none is
     *         refused); after a refusal, 0 for every later call
     */
    public int scan(byte[] bytes, int offset, int length) {
        if (refusal != null) {
            return 0;
        }
        int i = 0;
        while (i < length) {
            if (payloadLeft > 0) {
                int skipped = (int) Math.min(payloadLeft, length - i);
                payloadLeft -= skipped;
                i += skipped;
                continue;
            }
            header[headerBytes++] = bytes[offset + i++];
            if (headerBytes < 2 || headerBytes < headerLength()) {
                continue;
            }
            headerBytes = 0;
            if (!accept()) {
                return i;
            }
        }
        return length;
    }

    public Optional<Refusal> refusal() {
        return Optional.ofNullable(refusal);
    }

    private int headerLength() {
        int lengthCode = header[1] & 0x7F;
        int extended = lengthCode == 126 ? 2 : lengthCode == 127 ? 8 : 0;
        return 2 + extended + ((header[1] & 0x80) != 0 ? 4 : 0);
    }

    /** The header is complete: takes its frame, or records the refusal and returns false. */
    private boolean accept() {
        boolean fin = (header[0] & 0x80) != 0;
        int opcode = header[0] & 0x0F;
        long length = payloadLength();
        boolean control = (opcode & 0x8) != 0;
        if (!control && (length < 0 || length > limit)) {
            refusal = new Refusal(kind(opcode), length < 0 ? Long.MAX_VALUE : length);
            return false;
        }
        payloadLeft = Math.max(length, 0);
        if (opcode == TEXT || opcode == BINARY) {
            messageOpcode = fin ? -1 : opcode;
        } else if (opcode == CONTINUATION && fin) {
            messageOpcode = -1;
        }
        return true;
    }

    private Kind kind(int opcode) {
        int carried = opcode == CONTINUATION ? messageOpcode : opcode;
        return carried == TEXT ? Kind.TEXT : carried == BINARY ? Kind.BINARY : Kind.OTHER;
    }

    private long payloadLength() {
        int lengthCode = header[1] & 0x7F;
        if (lengthCode < 126) {
            return lengthCode;
        }
        int bytes = lengthCode == 126 ? 2 : 8;
        long length = 0;
        for (int k = 0; k < bytes; k++) {
            length = (length << 8) | (header[2 + k] & 0xFF);
        }
        return length; // negative when the top bit of 8 bytes is set: refused as over any limit
    }
}
