/**
 * JSON in and out, with one shared JSON-B and JSON-P provider
 * ({@link com.estatechat.json.JsonCodec}): client frames, broker messages, history events; the
 * frames written per chat message ({@link com.estatechat.json.FlatJson}) by JSON-P's generator.
 */
package com.estatechat.json;
