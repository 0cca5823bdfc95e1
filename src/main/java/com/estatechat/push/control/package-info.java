/**
 * Push for users who are away: history events held by the broker for {@code chat.push.delay}
 * ({@link com.estatechat.push.control.PushDispatcher}), a claim per user in the conversation store
 * ({@link com.estatechat.push.control.PushMarks}) and a signed call of the operator's webhook
 * ({@link com.estatechat.push.control.Webhook}). Uses amqp, history and settings; nothing uses it.
 */
package com.estatechat.push.control;
