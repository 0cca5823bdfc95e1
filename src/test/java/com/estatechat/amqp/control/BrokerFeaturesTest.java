package com.estatechat.amqp.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.impl.LongStringHelper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerFeaturesTest {

    private static final Map<String, Object> INBOX = Map.of("x-queue-type", "classic",
            "x-dead-letter-exchange", "chat.dead-letter", "x-max-length", 100L, "x-overflow", "reject-publish");

    @Test
    void rabbitMqGetsEveryQueueArgument() {
        // the client hands server properties over as LongStrings, not Strings
        BrokerFeatures rabbit = BrokerFeatures.of(Map.of("product", LongStringHelper.asLongString("RabbitMQ"),
                "version", LongStringHelper.asLongString("3.10.8")));
        assertThat(rabbit.rabbitQueueArguments()).isTrue();
        assertThat(rabbit.deadLettersRejects()).isTrue();
        assertThat(rabbit.supported(INBOX)).isEqualTo(INBOX);
        assertThat(rabbit).hasToString("RabbitMQ 3.10.8");
    }

    @Test
    void qpidGetsNoneOfThemAndCannotUnbindWhatIsMissing() {
        BrokerFeatures qpid = BrokerFeatures.of(Map.of("product",
                LongStringHelper.asLongString("Apache Qpid Broker-J Core"), "version", LongStringHelper.asLongString("9.2.1")));
        assertThat(qpid.supported(INBOX)).isEmpty();
        assertThat(qpid.deadLettersRejects()).isFalse();
        assertThat(qpid.ignoresMissingBindings()).isFalse();
    }

    @Test
    void aBrokerThatSaysNothingIsTreatedWithCaution() {
        assertThat(BrokerFeatures.of(Map.of()).supported(INBOX)).isEmpty();
        assertThat(BrokerFeatures.UNKNOWN.rabbitQueueArguments()).isFalse();
    }
}
