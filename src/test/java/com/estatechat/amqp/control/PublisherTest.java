package com.estatechat.amqp.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.settings.ChatSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a publish that meets the publisher's close is told. */
class PublisherTest {

    final Publisher cut = new Publisher();

    @AfterEach
    void close() {
        cut.close();
    }

    /**
     * Issue 21, part 4 (d): the close emptied the very list a publish had just found not empty,
     * and the publish then picked its lane modulo a size of 0: an {@code ArithmeticException},
     * which reached the client as a 1011 close. The test runs the close in that moment (when the
     * publish asks the lanes it read whether they are empty). The publish must be told, as any
     * publish after the close is, that the server is shutting down.
     */
    @Test
    void aPublishThatMeetsTheCloseIsRefusedAsUnavailable() throws Exception {
        cut.broker = new BrokerConnection(); // never connected: nothing here reaches a broker
        cut.topology = new InboxTopology();
        cut.settings = new ChatSettings() {
            @Override
            public int publisherChannels() {
                return 2;
            }

            @Override
            public String exchange() {
                return "chat.test";
            }

            @Override
            public Duration confirmTimeout() {
                return Duration.ofSeconds(1);
            }
        };
        cut.open();
        cut.lanes = new CopyOnWriteArrayList<>(cut.lanes) {
            private boolean closed;

            @Override
            public boolean isEmpty() {
                boolean empty = super.isEmpty();
                if (!closed) {
                    closed = true;
                    cut.close(); // on another thread in production; here, between the publish's two reads
                }
                return empty;
            }
        };

        CompletableFuture<Void> published = cut.publish(7, OutgoingMessage.toUser("m1", "message", "bob",
                "{}".getBytes(StandardCharsets.UTF_8), Map.of()));

        assertThat(published).failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(BrokerUnavailable.class);
    }
}
