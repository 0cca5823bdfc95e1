package com.estatechat.bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * Deletes the inboxes a benchmark run left behind ({@code <inbox-prefix><user-prefix>0..N-1}), so
 * that one run's messages never reach the next and the broker does not collect thousands of queues.
 * Usage: {@code QueueCleaner amqp://guest:guest@127.0.0.1:5672 bench.inbox.bench-a 2000}.
 */
public final class QueueCleaner {

    public static void main(String[] args) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(args[0]);
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        try (Connection connection = factory.newConnection("bench-cleaner")) {
            Channel channel = connection.createChannel();
            for (int i = 0; i < count; i++) {
                // deleting a queue that does not exist is fine on RabbitMQ
                channel.queueDelete(prefix + i);
            }
        }
        System.out.println("deleted up to " + count + " queues named " + prefix + "N");
    }
}
