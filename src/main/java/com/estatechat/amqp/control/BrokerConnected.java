package com.estatechat.amqp.control;

/** CDI event: the AMQP connection is up, for the first time or after a recovery. */
public record BrokerConnected(boolean recovered) {
}
