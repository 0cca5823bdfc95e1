package com.estatechat.support;

import java.io.File;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The WAR under test: the one Maven just packaged, plus a jar whose
 * {@code META-INF/microprofile-config.properties} (ordinal 500) overrides settings for one test
 * class. Each test class gets its own exchange and inbox prefix, so tests never see each other's
 * messages even on a broker that keeps queues between runs.
 */
public final class Deployments {

    private Deployments() {
    }

    public static WebArchive chat(String name, Map<String, String> overrides) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> settings = new java.util.TreeMap<>(Map.of(
                "chat.amqp.url", System.getProperty("chat.test.amqp.url", "amqp://guest:guest@127.0.0.1:5672"),
                "chat.amqp.exchange", "test." + name + "." + run,
                "chat.amqp.inbox-prefix", "test." + name + "." + run + ".inbox.",
                "chat.amqp.dead-letter-exchange", "test." + name + "." + run + ".dead-letter",
                "chat.auth.mode", "none",
                // Arquillian reaches Payara Micro at the machine's own address, which is not loopback
                "chat.auth.none.allow-remote", "true",
                "chat.allow-missing-origin", "true",
                // each deployment its own conversation store and history queue (an embedded store is one process's)
                "chat.history.embedded-path", new File("target/history/" + name + "-" + run).getAbsolutePath(),
                "chat.history.queue", "test." + name + "." + run + ".history"));
        settings.putAll(overrides);
        String properties = "config_ordinal=500\n" + settings.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n"));
        JavaArchive config = ShrinkWrap.create(JavaArchive.class, "test-config.jar")
                .addAsResource(new StringAsset(properties), "META-INF/microprofile-config.properties");
        return ShrinkWrap.create(ZipImporter.class, name + ".war")
                .importFrom(new File("target/estate-chat.war"))
                .as(WebArchive.class)
                .addAsLibrary(config);
    }

    /**
     * The application's root URI. Arquillian reports the server root for a deployment without
     * servlets, so the context root (the archive's name) is added when it is missing.
     */
    public static java.net.URI root(java.net.URL base, String name) {
        String url = base.toString().endsWith("/") ? base.toString() : base + "/";
        return java.net.URI.create(url.endsWith("/" + name + "/") ? url : url + name + "/");
    }

    /** A unique user id, so that a test's users have fresh inboxes. */
    public static String user(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
