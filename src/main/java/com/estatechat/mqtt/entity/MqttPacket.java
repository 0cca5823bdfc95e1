package com.estatechat.mqtt.entity;

import com.estatechat.logging.LogText;
import java.util.List;

/**
 * The MQTT 3.1.1 packets a client may send, as the decoder reads them. The server's own packets
 * (CONNACK, SUBACK, UNSUBACK, PINGRESP, PUBACK, PUBLISH) are only ever written, by
 * {@code MqttEncoder}.
 */
public sealed interface MqttPacket {

    /** CONNECT (protocol level 4). The password is bytes in MQTT; the token or secret it carries is text. */
    record Connect(int protocolLevel, String clientId, boolean cleanSession, int keepAliveSeconds, boolean will,
            String username, String password) implements MqttPacket {

        @Override
        public String toString() {
            // never the password: it is a token or the shared secret
            // for log lines: the client's strings escaped
            return "CONNECT(level " + protocolLevel + ", client id " + LogText.of(clientId) + ", clean "
                    + cleanSession + ", keep-alive " + keepAliveSeconds + " s, user " + LogText.of(username) + ")";
        }
    }

    /** PUBLISH; {@code packetId} is 0 for QoS 0. */
    record Publish(String topic, int qos, boolean dup, boolean retain, int packetId, byte[] payload)
            implements MqttPacket {
    }

    /** PUBACK: the client has the PUBLISH of that packet id. */
    record PubAck(int packetId) implements MqttPacket {
    }

    /** One topic filter of a SUBSCRIBE and the QoS asked for it. */
    record Subscription(String filter, int qos) {
    }

    record Subscribe(int packetId, List<Subscription> subscriptions) implements MqttPacket {
    }

    record Unsubscribe(int packetId, List<String> filters) implements MqttPacket {
    }

    /** PUBREC, PUBREL or PUBCOMP: the QoS 2 flow, which this server does not take part in. */
    record QosTwoStep(int type, int packetId) implements MqttPacket {
    }

    record PingReq() implements MqttPacket {
    }

    record Disconnect() implements MqttPacket {
    }
}
