/**
 * MQTT's packets: a strict, bounded decoder and an encoder, one connection's session, and
 * {@code MqttWire}, which carries the chat's frames as QoS 1 PUBLISHes (PUBACK = ack).
 */
package com.estatechat.mqtt.control;
