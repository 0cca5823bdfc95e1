package com.estatechat.container.boundary;

import com.estatechat.container.control.FrameGuard;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;

/**
 * The upgrade handler the container runs for a guarded WebSocket: it hands the WebSocket
 * implementation's own handler a connection whose input passes through the {@link FrameGuard}.
 * Created by the container (hence public, with no constructor arguments), then given its parts by
 * {@link FrameGuardFilter} before the container calls {@link #init}.
 */
public class GuardedUpgrade implements HttpUpgradeHandler {

    private HttpUpgradeHandler handler;
    private FrameGuard guard;

    void guard(HttpUpgradeHandler handler, FrameGuard guard) {
        this.handler = handler;
        this.guard = guard;
    }

    @Override
    public void init(WebConnection connection) {
        handler.init(new GuardedConnection(connection, guard));
    }

    @Override
    public void destroy() {
        handler.destroy();
    }

    private static final class GuardedConnection implements WebConnection {

        private final WebConnection connection;
        private final FrameGuard guard;
        private ServletInputStream input;

        GuardedConnection(WebConnection connection, FrameGuard guard) {
            this.connection = connection;
            this.guard = guard;
        }

        @Override
        public synchronized ServletInputStream getInputStream() throws IOException {
            if (input == null) {
                input = new GuardedInput(connection.getInputStream(), guard);
            }
            return input;
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            return connection.getOutputStream();
        }

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }

    /** The socket's input, cut where the guard refuses a frame; what comes after is read and dropped. */
    private static final class GuardedInput extends ServletInputStream {

        private final ServletInputStream input;
        private final FrameGuard guard;

        GuardedInput(ServletInputStream input, FrameGuard guard) {
            this.input = input;
            this.guard = guard;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            if (guard.refused()) {
                // the connection is closing: keep reading (the container reads only when asked) but hold nothing
                return input.read(new byte[Math.min(Math.max(length, 1), 8192)]) < 0 ? -1 : 0;
            }
            int read = input.read(bytes, offset, length);
            return read <= 0 ? read : guard.pass(bytes, offset, read);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int read = read(one, 0, 1);
            return read == 1 ? one[0] & 0xFF : -1; // after a refusal nothing more comes through
        }

        @Override
        public int available() throws IOException {
            return input.available();
        }

        @Override
        public boolean isFinished() {
            return input.isFinished();
        }

        @Override
        public boolean isReady() {
            return input.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            input.setReadListener(listener);
        }

        @Override
        public void close() throws IOException {
            input.close();
        }
    }
}
