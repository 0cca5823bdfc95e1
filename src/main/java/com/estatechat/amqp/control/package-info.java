/**
 * Everything said to RabbitMQ (AMQP 0-9-1). {@link com.estatechat.amqp.control.BrokerConnection} owns the
 * consuming and publishing connections; {@link com.estatechat.amqp.control.Publisher} spreads publishes over
 * {@code PublisherLane}s (confirms, bounded, refused at once during an alarm);
 * {@link com.estatechat.amqp.control.Inboxes} opens each user's {@link com.estatechat.amqp.control.InboxSubscription}
 * on a shared {@code ConsumerChannel} (manual acks, coalesced). Knows nothing of chat frames: callers give
 * {@link com.estatechat.amqp.control.OutgoingMessage}s and get {@link com.estatechat.amqp.control.InboxDelivery}s.
 * Threads and owners: docs/design.md.
 */
package com.estatechat.amqp.control;
