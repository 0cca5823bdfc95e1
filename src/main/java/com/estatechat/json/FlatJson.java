package com.estatechat.json;

import jakarta.json.stream.JsonGenerator;

/**
 * A record of strings and booleans that {@link JsonCodec} writes with JSON-P's streaming generator,
 * member by member, instead of JSON-B: the same text, without JSON-B's work per call. For the frames
 * written once or more per chat message.
 */
public interface FlatJson {

    /**
     * Writes the members as JSON-B does: the snake_case names in lexicographical order, a null left
     * out ({@link #member}). {@code FlatJsonTest} holds each implementation to JSON-B's text.
     */
    void writeMembers(JsonGenerator json);

    /** A string member, left out when null, as JSON-B leaves it. */
    static void member(JsonGenerator json, String name, String value) {
        if (value != null) {
            json.write(name, value);
        }
    }
}
