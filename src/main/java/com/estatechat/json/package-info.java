/**
 * JSON in and out, with one shared JSON-B and JSON-P provider
 * ({@link com.estatechat.json.JsonCodec}): client frames, broker messages, history events.
 */
package com.estatechat.json;
