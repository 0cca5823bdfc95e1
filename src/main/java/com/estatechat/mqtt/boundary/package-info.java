/**
 * The {@code /mqtt} endpoint (MQTT 3.1.1 over WebSocket) and its handshake.
 */
package com.estatechat.mqtt.boundary;
