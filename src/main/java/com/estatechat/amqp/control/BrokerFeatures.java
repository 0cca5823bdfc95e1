package com.estatechat.amqp.control;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the connected broker understands beyond plain AMQP 0-9-1, decided from the {@code product}
 * it announces when the connection opens. RabbitMQ (and LavinMQ, which copies its queue
 * arguments) take the {@code x-} queue arguments and dead-letter what a consumer rejects; other
 * brokers, such as the Qpid Broker-J of the development run, close the whole connection on an
 * argument they do not know, so the server sends none there.
 *
 * @param product the broker's name as it gave it
 * @param version its version, or an empty string
 * @param rabbitQueueArguments whether {@code x-queue-type}, {@code x-dead-letter-exchange},
 *        {@code x-max-length}, {@code x-overflow} and {@code x-message-ttl} may be sent
 */
public record BrokerFeatures(String product, String version, boolean rabbitQueueArguments) {

    /** Before any connection: nothing is sent that a broker could refuse. */
    public static final BrokerFeatures UNKNOWN = new BrokerFeatures("unknown", "", false);

    private static final Set<String> RABBIT_COMPATIBLE = Set.of("rabbitmq", "lavinmq");

    /** From the server properties of {@code connection.start}. */
    public static BrokerFeatures of(Map<String, Object> serverProperties) {
        String product = String.valueOf(serverProperties.getOrDefault("product", "unknown"));
        String version = String.valueOf(serverProperties.getOrDefault("version", ""));
        return new BrokerFeatures(product, version,
                RABBIT_COMPATIBLE.contains(product.trim().toLowerCase(Locale.ROOT)));
    }

    /** Whether a consumer's reject without requeue reaches the queue's dead-letter exchange. */
    public boolean deadLettersRejects() {
        return rabbitQueueArguments;
    }

    /** Whether unbinding a binding that does not exist is harmless (elsewhere it may close the channel). */
    public boolean ignoresMissingBindings() {
        return rabbitQueueArguments;
    }

    /** The queue arguments this broker takes, out of {@code wanted}. */
    public Map<String, Object> supported(Map<String, Object> wanted) {
        return rabbitQueueArguments ? wanted : Map.of();
    }

    @Override
    public String toString() {
        return (product + " " + version).trim();
    }
}
