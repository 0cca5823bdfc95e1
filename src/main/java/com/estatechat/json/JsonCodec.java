package com.estatechat.json;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import jakarta.json.stream.JsonParser;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.JsonbException;
import jakarta.json.bind.config.PropertyNamingStrategy;
import jakarta.annotation.PreDestroy;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns frames, broker messages and history events into JSON and back with one shared, thread-safe {@link Jsonb}: snake_case names,
 * null fields left out. Creating a Jsonb per message would look the provider up every time. The {@link FlatJson} frames are
 * written with one shared JSON-P generator factory instead, to the same text.
 */
@ApplicationScoped
public class JsonCodec {

    private static final Logger LOG = Logger.getLogger(JsonCodec.class.getName());

    private final Jsonb jsonb = JsonbBuilder.create(new JsonbConfig()
            .withPropertyNamingStrategy(PropertyNamingStrategy.LOWER_CASE_WITH_UNDERSCORES));
    private final JsonProvider json = JsonProvider.provider();
    private final JsonGeneratorFactory generators = json.createGeneratorFactory(Map.of());

    public String toJson(Object frame) {
        return jsonb.toJson(frame);
    }

    /** The text {@link #toJson(Object)} gives, written member by member with JSON-P's generator. */
    public String toJson(FlatJson frame) {
        StringWriter text = new StringWriter(256);
        try (JsonGenerator out = generators.createGenerator(text)) {
            write(frame, out);
        }
        return text.toString();
    }

    /** A JSON array of them: the text {@link #toJson(Object)} gives for the list. */
    public String toJson(List<? extends FlatJson> frames) {
        StringWriter text = new StringWriter(256 * frames.size() + 2);
        try (JsonGenerator out = generators.createGenerator(text)) {
            out.writeStartArray();
            for (FlatJson frame : frames) {
                write(frame, out);
            }
            out.writeEnd();
        }
        return text.toString();
    }

    private static void write(FlatJson frame, JsonGenerator out) {
        out.writeStartObject();
        frame.writeMembers(out);
        out.writeEnd();
    }

    /** @throws JsonbException when the text is not JSON of that shape */
    public <T> T fromJson(String text, Class<T> type) {
        return jsonb.fromJson(text, type);
    }

    /** A streaming parser over one client frame. */
    public JsonParser parser(String text) {
        return json.createParser(new StringReader(text));
    }

    @PreDestroy
    void close() {
        try {
            jsonb.close();
        } catch (Exception e) {
            LOG.log(Level.FINE, "Closing JSON-B failed", e);
        }
    }
}
