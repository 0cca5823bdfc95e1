package com.estatechat.amqp.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.settings.ChatSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Which subscription of a user waits for which, when they are asked for at once. */
class InboxesTest {

    final Inboxes cut = new Inboxes();
    /** Each carrier's channel work, queued and not run until the test says. */
    final Map<String, List<Runnable>> channelWork = new ConcurrentHashMap<>();

    /**
     * Issue 21, part 4 (c): a user's last connection closes and a new one opens at once, so the
     * old user's lane (still greeting) and the new one's each subscribe, on two workers. Both read
     * "no subscription before me" and both started at once, where the second must wait for the
     * first to end (what the first leaves unacked must come before newer messages). The test holds
     * each caller after its look-up until the other has looked up too, when the code lets it.
     */
    @Test
    void twoSubscriptionsOfOneUserAtOnceStartOneAfterTheOther() throws Exception {
        wire();
        CyclicBarrier bothLookedUp = new CyclicBarrier(2);
        cut.latest = new ConcurrentHashMap<>() {
            @Override
            public InboxSubscription get(Object userId) {
                InboxSubscription found = super.get(userId);
                try {
                    bothLookedUp.await(1, TimeUnit.SECONDS);
                } catch (TimeoutException | BrokenBarrierException e) {
                    // the other caller cannot look up now: the look-up and the update are one step
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return found;
            }
        };

        CompletableFuture<CompletableFuture<InboxSubscription>> first = CompletableFuture.supplyAsync(this::subscribeAlice);
        CompletableFuture<CompletableFuture<InboxSubscription>> second = CompletableFuture.supplyAsync(this::subscribeAlice);
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);

        assertThat(channelWork.values()).as("starts queued, per carrier").singleElement()
                .satisfies(work -> assertThat(work).hasSize(1));
        List<Runnable> carrier = channelWork.values().iterator().next();
        carrier.remove(0).run(); // the first starts, and fails: no broker here; it is over
        assertThat(carrier).as("the second, once the first is over, on its channel").hasSize(1);
    }

    private CompletableFuture<InboxSubscription> subscribeAlice() {
        return cut.subscribe("alice", List.of(), List.of(), null);
    }

    private void wire() {
        cut.broker = new BrokerConnection() {
            @Override
            public BrokerFeatures features() {
                return new BrokerFeatures("RabbitMQ", "4.0.0", true);
            }

            @Override
            public Executor newChannelOwner(String name) {
                List<Runnable> work = Collections.synchronizedList(new ArrayList<>());
                channelWork.put(name, work);
                return work::add;
            }

            @Override
            public com.rabbitmq.client.Channel openChannel() throws IOException {
                throw new IOException("no broker in this test");
            }
        };
        cut.settings = new ChatSettings() {
            @Override
            public int consumersPerChannel() {
                return 50;
            }

            @Override
            public int prefetch() {
                return 10;
            }

            @Override
            public Duration confirmTimeout() {
                return Duration.ofMinutes(1);
            }
        };
    }
}
