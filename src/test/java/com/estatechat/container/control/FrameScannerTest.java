package com.estatechat.container.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.container.control.FrameScanner.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FrameScannerTest {

    static final int LIMIT = 4096;

    @Test
    void framesUpToTheLimitPassWhateverTheCuts() {
        byte[] stream = concat(frame(true, 0x1, 10), frame(true, 0x2, LIMIT), frame(true, 0x9, 125),
                frame(false, 0x1, 200), frame(true, 0x0, LIMIT), frame(true, 0x1, 126));
        for (int cut = 1; cut <= 17; cut++) {
            FrameScanner cut0 = new FrameScanner(LIMIT);
            for (int at = 0; at < stream.length; at += cut) {
                int length = Math.min(cut, stream.length - at);
                assertThat(cut0.scan(stream, at, length)).as("cut %d at %d", cut, at).isEqualTo(length);
            }
            assertThat(cut0.refusal()).isEmpty();
        }
    }

    @Test
    void aFrameOverTheLimitIsRefusedAtTheEndOfItsHeader() {
        byte[] first = frame(true, 0x1, 100);
        byte[] stream = concat(first, header(true, 0x1, 4L << 20), new byte[1000]);
        FrameScanner scanner = new FrameScanner(LIMIT);
        assertThat(scanner.scan(stream, 0, stream.length)).isEqualTo(first.length + 14);
        assertThat(scanner.refusal()).contains(new FrameScanner.Refusal(Kind.TEXT, 4L << 20));
        assertThat(scanner.scan(stream, 0, stream.length)).isZero();
    }

    @Test
    void theRefusalNamesTheMessageAContinuationBelongsTo() {
        assertThat(refusalAfter(header(true, 0x2, LIMIT + 1))).isEqualTo(Kind.BINARY);
        assertThat(refusalAfter(concat(frame(false, 0x2, 10), header(true, 0x0, LIMIT + 1)))).isEqualTo(Kind.BINARY);
        assertThat(refusalAfter(concat(frame(false, 0x1, 10), frame(false, 0x0, 10), header(true, 0x0, 70_000))))
                .isEqualTo(Kind.TEXT);
        assertThat(refusalAfter(header(true, 0x0, LIMIT + 1))).as("a stray continuation").isEqualTo(Kind.OTHER);
        assertThat(refusalAfter(header(true, 0x3, LIMIT + 1))).as("a reserved opcode").isEqualTo(Kind.OTHER);
        assertThat(refusalAfter(concat(frame(false, 0x1, 10), frame(true, 0x0, 10), header(true, 0x0, LIMIT + 1))))
                .as("after the message ended").isEqualTo(Kind.OTHER);
    }

    @Test
    void aLengthWithItsTopBitSetIsOverAnyLimit() {
        byte[] header = header(true, 0x2, 70_000);
        header[2] = (byte) 0x80;
        FrameScanner scanner = new FrameScanner(Long.MAX_VALUE - 1);
        scanner.scan(header, 0, header.length);
        assertThat(scanner.refusal()).hasValueSatisfying(r -> assertThat(r.announcedBytes()).isEqualTo(Long.MAX_VALUE));
    }

    @Test
    void controlFramesAreLeftToTheContainer() {
        FrameScanner scanner = new FrameScanner(LIMIT);
        byte[] ping = header(true, 0x9, 70_000);
        assertThat(scanner.scan(ping, 0, ping.length)).isEqualTo(ping.length);
        assertThat(scanner.refusal()).isEmpty();
    }

    private static Kind refusalAfter(byte[] stream) {
        FrameScanner scanner = new FrameScanner(LIMIT);
        assertThat(scanner.scan(stream, 0, stream.length)).isEqualTo(stream.length);
        return scanner.refusal().orElseThrow().kind();
    }

    /** A masked header announcing {@code length}, in the 8-byte form when it is over 65535. */
    private static byte[] header(boolean fin, int opcode, long length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        if (length < 126) {
            out.write(0x80 | (int) length);
        } else if (length <= 0xFFFF) {
            out.write(0x80 | 126);
            out.write((int) (length >>> 8));
            out.write((int) (length & 0xFF));
        } else {
            out.write(0x80 | 127);
            out.writeBytes(ByteBuffer.allocate(8).putLong(length).array());
        }
        out.writeBytes(new byte[] {1, 2, 3, 4});
        return out.toByteArray();
    }

    private static byte[] frame(boolean fin, int opcode, int length) {
        return concat(header(fin, opcode, length), new byte[length]);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
