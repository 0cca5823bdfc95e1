package com.estatechat.amqp.control;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.util.concurrent.Executor;

/**
 * A consumer with manual acks for a queue one thread owns (the history writer's, push's): each
 * delivery, the consumer's cancel and the channel's end are handed to that thread, so nothing is
 * done on the client library's threads. The owner acks on the channel it is given.
 */
public final class OwnedConsumer {

    /** What the owner's thread is handed. */
    public interface Owner {

        /** A delivery on {@code from}: acked, nacked or left to requeue with the channel. */
        void delivered(Channel from, long deliveryTag, byte[] body);

        /** The broker cancelled the consumer (its queue was deleted). */
        void cancelled(Channel from);

        /** The channel closed; its unacked deliveries go back to the queue. */
        void lost(Channel from);
    }

    private OwnedConsumer() {
    }

    /**
     * Starts consuming {@code queue} on {@code channel}; {@code owner} runs each hand-over (an
     * executor that drops tasks once stopping is fine: the channel's close requeues what was unacked).
     */
    public static void start(Channel channel, String queue, String consumerTag, Executor thread, Owner owner)
            throws IOException {
        channel.addShutdownListener(cause -> thread.execute(() -> owner.lost(channel)));
        channel.basicConsume(queue, false, consumerTag, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                long deliveryTag = envelope.getDeliveryTag();
                thread.execute(() -> owner.delivered(channel, deliveryTag, body));
            }

            @Override
            public void handleCancel(String tag) {
                thread.execute(() -> owner.cancelled(channel));
            }
        });
    }
}
