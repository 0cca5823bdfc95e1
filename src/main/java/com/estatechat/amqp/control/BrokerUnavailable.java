package com.estatechat.amqp.control;

/** The broker cannot take the request now (not connected, channel closed, no confirm in time): retry later. */
public class BrokerUnavailable extends RuntimeException {

    public BrokerUnavailable(String message) {
        super(message);
    }

    public BrokerUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
