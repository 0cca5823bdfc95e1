package com.estatechat.json;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.JsonbException;
import jakarta.json.bind.config.PropertyNamingStrategy;
import jakarta.annotation.PreDestroy;
import java.io.StringReader;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns frames, broker messages and history events into JSON and back with one shared, thread-safe {@link Jsonb}: snake_case names,
 * null fields left out. Creating a Jsonb per message would look the provider up every time.
 */
@ApplicationScoped
public class JsonCodec {

    private static final Logger LOG = Logger.getLogger(JsonCodec.class.getName());

    private final Jsonb jsonb = JsonbBuilder.create(new JsonbConfig()
            .withPropertyNamingStrategy(PropertyNamingStrategy.LOWER_CASE_WITH_UNDERSCORES));
    private final JsonProvider json = JsonProvider.provider();

    public String toJson(Object frame) {
        return jsonb.toJson(frame);
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
