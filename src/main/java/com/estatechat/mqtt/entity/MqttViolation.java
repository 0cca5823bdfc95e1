package com.estatechat.mqtt.entity;

/**
 * Bytes that are not an MQTT 3.1.1 packet this server accepts: malformed, out of bounds, or a
 * packet a client may not send. The connection ends; the reason goes to the log.
 */
public class MqttViolation extends RuntimeException {

    private final boolean tooLarge;

    public MqttViolation(String reason) {
        this(reason, false);
    }

    private MqttViolation(String reason, boolean tooLarge) {
        super(reason, null, false, false);
        this.tooLarge = tooLarge;
    }

    /** A packet over {@code chat.max-frame-bytes}: closed with 1009, as an over-size frame on /ws. */
    public static MqttViolation tooLarge(String reason) {
        return new MqttViolation(reason, true);
    }

    public boolean tooLarge() {
        return tooLarge;
    }
}
