/**
 * What the broker connection shows outside: {@link com.estatechat.amqp.boundary.BrokerReadiness}, the
 * readiness check (connected, publishing blocked by an alarm).
 */
package com.estatechat.amqp.boundary;
