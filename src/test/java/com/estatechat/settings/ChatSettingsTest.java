package com.estatechat.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChatSettingsTest {

    ChatSettings cut;

    @BeforeEach
    void defaults() {
        cut = new ChatSettings();
        cut.amqpUrl = "amqp://guest:secret@127.0.0.1:5672/%2F";
        cut.exchange = "chat.direct";
        cut.inboxPrefix = "chat.inbox.";
        cut.deadLetterExchange = "chat.dead-letter";
        cut.publisherChannels = 2;
        cut.channelsPerConnection = 2000;
        cut.consumersPerChannel = 50;
        cut.confirmTimeout = "5s";
        cut.reconnectInterval = "5s";
        cut.heartbeat = "30s";
        cut.prefetch = 100;
        cut.persistentReceipts = "true";
        cut.maxReceiptsPerMessage = 5;
        cut.ackTimeout = "5m";
        cut.mqttConnectTimeout = "10s";
        cut.drainWindow = "2s";
        cut.queueType = "classic";
        cut.inboxMaxLength = 10000;
        cut.inboxMessageTtl = "0s";
        cut.inboxExpires = "0s";
        cut.deadLetterTtl = "7d";
        cut.maxFrameBytes = 65536;
        cut.sendQueueLimit = 1000;
        cut.sendQueueBytes = 4 * 1024 * 1024;
    }

    @Test
    void aSendQueueThatCannotHoldTwoFramesIsRefusedByName() {
        cut.sendQueueBytes = 65536;
        assertThatIllegalStateException().isThrownBy(cut::check).withMessageContaining("chat.session.send-queue-bytes is 65536");
    }

    @Test
    void aDrainWindowLongerThanAStopMayTakeIsRefusedByName() {
        cut.drainWindow = "11s";
        assertThatIllegalStateException().isThrownBy(cut::check)
                .withMessageContaining("chat.session.drain-window is 11s; it must be at most 10s");
    }

    @Test
    void aDrainWindowOfZeroTurnsTheNoticeOff() {
        cut.drainWindow = "0s";
        cut.check();
        assertThat(cut.drainWindow()).isZero();
    }

    @Test
    void withoutAddressesTheUrlsHostIsTheOnlyNode() {
        cut.check();
        assertThat(cut.amqpAddresses()).isEmpty();
    }

    @Test
    void addressesAreHostsWithOrWithoutPorts() {
        cut.amqpAddresses = java.util.Optional.of(" rabbit-1.internal:5681, 127.0.0.1:5682 ,rabbit3,[::1]:5672");
        cut.check();
        assertThat(cut.amqpAddresses()).containsExactly("rabbit-1.internal:5681", "127.0.0.1:5682", "rabbit3", "[::1]:5672");
    }

    /** A URL with a password pasted into the list must not reach the log: the entry is named by its position. */
    @Test
    void aBadAddressIsNamedByItsPositionNeverEchoed() {
        cut.amqpAddresses = java.util.Optional.of("rabbit1:5672,amqp://chat:s3cret@rabbit2:5672");
        assertThatIllegalStateException().isThrownBy(cut::check)
                .withMessageContaining("chat.amqp.addresses: entry 2 is not host or host:port")
                .withMessageNotContaining("s3cret");
    }

    @Test
    void anAddressNeedsAHostAndAPortInRange() {
        cut.amqpAddresses = java.util.Optional.of("rabbit1:5672,");
        assertThatIllegalStateException().isThrownBy(cut::check).withMessageContaining("entry 2 is not host or host:port");
        cut.amqpAddresses = java.util.Optional.of(":5672");
        assertThatIllegalStateException().isThrownBy(cut::check).withMessageContaining("entry 1 is not host or host:port");
        cut.amqpAddresses = java.util.Optional.of("rabbit1:70000");
        assertThatIllegalStateException().isThrownBy(cut::check)
                .withMessageContaining("chat.amqp.addresses: entry 1 has port 70000; it must lie between 1 and 65535");
        cut.amqpAddresses = java.util.Optional.of("rabbit1:0");
        assertThatIllegalStateException().isThrownBy(cut::check).withMessageContaining("entry 1 has port 0");
    }

    @Test
    void defaultsAreValid() {
        cut.check();
        assertThat(cut.confirmTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(cut.queueType()).isEqualTo(ChatSettings.QueueType.CLASSIC);
        assertThat(cut.persistentReceipts()).isTrue();
        assertThat(cut.ackTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(cut.mqttConnectTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    /** Zero would close every MQTT socket at once; "off" is no setting: an anonymous socket must end. */
    @Test
    void theMqttConnectTimeoutIsADuration() {
        cut.mqttConnectTimeout = "0s";
        assertThatIllegalStateException().isThrownBy(cut::check).withMessageContaining("chat.mqtt.connect-timeout is 0s");
        cut.mqttConnectTimeout = "2s";
        cut.check();
        assertThat(cut.mqttConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    /** Zero would close every connection that holds a delivery at the next heartbeat round. */
    @Test
    void theAckTimeoutIsADurationOfAtLeastASecond() {
        cut.ackTimeout = "0s";
        assertThatIllegalStateException().isThrownBy(cut::check)
                .withMessageContaining("chat.delivery.ack-timeout is 0s; it must be at least 1000ms");
        cut.ackTimeout = "soon";
        assertThatIllegalStateException().isThrownBy(cut::check).withMessageContaining("chat.delivery.ack-timeout");
        cut.ackTimeout = "3s";
        cut.check();
        assertThat(cut.ackTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    /** AMQP carries the heartbeat in whole seconds, as an unsigned short; zero would turn it off. */
    @Test
    void theBrokerHeartbeatIsWholeSecondsFromOneTo65535() {
        for (String bad : new String[] {"0s", "1500ms", "65536s", "often"}) {
            cut.heartbeat = bad;
            assertThatIllegalStateException().as(bad).isThrownBy(cut::check)
                    .withMessageContaining("chat.amqp.heartbeat");
        }
        cut.heartbeat = "2m";
        cut.check();
        assertThat(cut.heartbeat()).isEqualTo(Duration.ofMinutes(2));
    }

    /** MicroProfile Config would read "ture" or "no" as false without a word. */
    @Test
    void persistentReceiptsTakeTrueOrFalseOnly() {
        cut.persistentReceipts = " FALSE ";
        cut.check();
        assertThat(cut.persistentReceipts()).isFalse();
        cut.persistentReceipts = "ture";
        assertThatIllegalStateException().isThrownBy(cut::check)
                .withMessageContaining("chat.delivery.persistent-receipts is 'ture'; it must be true or false");
    }

    /** A reconnecting sender gets a prefetch of receipt messages at once; their frames must fit its send queue. */
    @Test
    void aPrefetchOfReceiptMessagesMustFitTheSendQueue() {
        cut.prefetch = 300;
        assertThatIllegalStateException().isThrownBy(cut::check).withMessageContaining(
                "chat.delivery.prefetch (300) times chat.delivery.max-receipts-per-message (5) is more than"
                        + " chat.session.send-queue-limit (1000)");
        cut.maxReceiptsPerMessage = 3;
        cut.check();
        cut.maxReceiptsPerMessage = 0;
        assertThatIllegalStateException().isThrownBy(cut::check)
                .withMessageContaining("chat.delivery.max-receipts-per-message is 0");
    }

    @Test
    void everyBadValueIsNamedByItsKey() {
        cut.prefetch = 0;
        cut.consumersPerChannel = 0;
        cut.queueType = "stream";
        cut.inboxExpires = "soon";
        assertThatIllegalStateException().isThrownBy(cut::check)
                .withMessageContaining("chat.delivery.prefetch")
                .withMessageContaining("chat.amqp.consumers-per-channel")
                .withMessageContaining("chat.amqp.queue-type")
                .withMessageContaining("chat.inbox.expires");
    }

    @Test
    void theQueueTypeKeyByItsOldNameIsRefusedNamingTheNewOne() {
        cut.renamedQueueType = java.util.Optional.of("quorum");
        assertThatIllegalStateException().isThrownBy(cut::check)
                .withMessageContaining("chat.inbox.queue-type (quorum) was renamed chat.amqp.queue-type");
    }

    @Test
    void aBadBrokerUrlNeverEchoesThePassword() {
        cut.amqpUrl = "http://guest:secret@host";
        assertThatIllegalStateException().isThrownBy(cut::check)
                .withMessageContaining("chat.amqp.url")
                .withMessageNotContaining("secret");
    }
}
