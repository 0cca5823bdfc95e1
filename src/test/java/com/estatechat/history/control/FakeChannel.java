package com.estatechat.history.control;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A channel that delivers what the test tells it to and checks settlements as the broker does: an
 * ack or reject of a tag it never delivered (or settled already) closes it with
 * {@code PRECONDITION_FAILED - unknown delivery tag}. Its loss can be told late, as the client
 * library's shutdown listener is.
 */
final class FakeChannel {

    final Channel channel;
    final List<Long> acked = new CopyOnWriteArrayList<>();
    final List<Long> rejected = new CopyOnWriteArrayList<>();
    private final List<ShutdownListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean open = true;
    private volatile Consumer consumer;
    private volatile String closedBecause;
    private long delivered; // the highest tag delivered
    private long settledUpTo;

    FakeChannel() {
        channel = (Channel) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Channel.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isOpen" -> open;
                    case "addShutdownListener" -> {
                        listeners.add((ShutdownListener) args[0]);
                        yield null;
                    }
                    case "basicQos" -> null;
                    case "basicConsume" -> {
                        consumer = (Consumer) args[args.length - 1];
                        yield args[2];
                    }
                    case "basicAck" -> {
                        settle((Long) args[0], (Boolean) args[1], acked);
                        yield null;
                    }
                    case "basicReject" -> {
                        settle((Long) args[0], false, rejected);
                        yield null;
                    }
                    case "abort", "close" -> {
                        open = false;
                        yield null;
                    }
                    case "getChannelNumber" -> 1;
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "toString" -> "fake channel";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    boolean consuming() {
        return consumer != null;
    }

    /** The broker delivers the next message (tags count from 1 per channel). */
    void deliver(byte[] body) throws IOException {
        long tag;
        synchronized (this) {
            tag = ++delivered;
        }
        consumer.handleDelivery("chat-history-writer", new Envelope(tag, false, "chat", "history"),
                new AMQP.BasicProperties(), body);
    }

    /** The channel is closed (isOpen says so at once); its listeners are told later, by {@link #tellLost}. */
    void close() {
        open = false;
    }

    void tellLost() {
        ShutdownSignalException cause = new ShutdownSignalException(false, false, null, channel);
        listeners.forEach(listener -> listener.shutdownCompleted(cause));
    }

    /** Why the broker closed the channel, or null. */
    String closedBecause() {
        return closedBecause;
    }

    private synchronized void settle(long tag, boolean multiple, List<Long> settled) {
        if (!open) {
            throw new com.rabbitmq.client.AlreadyClosedException(
                    new ShutdownSignalException(false, false, null, channel));
        }
        if (tag <= settledUpTo || tag > delivered) {
            open = false;
            closedBecause = "PRECONDITION_FAILED - unknown delivery tag " + tag;
            return; // the broker answers with channel.close, not with an exception on basic.ack
        }
        settled.add(tag);
        if (multiple) {
            settledUpTo = tag;
        }
    }
}
