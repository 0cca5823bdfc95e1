/**
 * The MQTT packets a client sends, and the protocol violations that close a connection.
 */
package com.estatechat.mqtt.entity;
