package com.estatechat.dev;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;
import org.apache.qpid.server.SystemLauncher;

/**
 * An Apache Qpid Broker-J in this JVM, speaking AMQP 0-9-1 on loopback only, with user
 * guest/guest and its messages in a Derby store under a data directory, so that they survive a
 * restart. For development: it is slow next to RabbitMQ and knows none of RabbitMQ's queue
 * arguments. It is never part of the WAR; the {@link DevServer} launcher and the tests start it.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedBroker.class.getName());

    private final int port;
    private final Path dataDir;
    private SystemLauncher launcher;

    private EmbeddedBroker(int port, Path dataDir) {
        this.port = port;
        this.dataDir = dataDir.toAbsolutePath().normalize();
    }

    /** Starts the broker on 127.0.0.1:{@code port}; blocks until it accepts connections (about 3 s). */
    public static EmbeddedBroker start(int port, Path dataDir) {
        EmbeddedBroker broker = new EmbeddedBroker(port, dataDir);
        broker.start();
        return broker;
    }

    private void start() {
        try {
            Files.createDirectories(dataDir);
            // Derby writes derby.log into the working directory unless told otherwise
            System.setProperty("derby.stream.error.file", dataDir.resolve("derby.log").toString());
            Path initialConfig = dataDir.resolve("initial-config.json");
            Files.writeString(initialConfig, initialConfig(), StandardCharsets.UTF_8);
            Map<String, Object> attributes = new HashMap<>();
            attributes.put("type", "JSON");
            attributes.put("initialConfigurationLocation", initialConfig.toUri().toString());
            attributes.put("storePath", dataDir.resolve("config.json").toString());
            attributes.put("startupLoggedToSystemOut", false);
            attributes.put("context", Map.of(
                    "qpid.work_dir", dataDir.toString(),
                    "qpid.amqp_port", String.valueOf(port),
                    "qpid.broker.defaultPreferenceStoreAttributes", "{\"type\": \"Noop\"}"));
            launcher = new SystemLauncher();
            launcher.startup(attributes);
        } catch (Exception e) {
            throw new IllegalStateException("The embedded broker did not start on 127.0.0.1:" + port
                    + " (data in " + dataDir + ")", e);
        }
        LOG.warning(() -> "\n"
                + "  *************************************************************************\n"
                + "  * EMBEDDED AMQP BROKER (Apache Qpid Broker-J) FOR DEVELOPMENT ONLY\n"
                + "  * amqp://guest:guest@127.0.0.1:" + port + " (loopback only), data in " + dataDir + "\n"
                + "  * Slow, and without RabbitMQ's queue arguments. In production, set\n"
                + "  * chat.amqp.url to your RabbitMQ; the WAR never starts a broker itself.\n"
                + "  *************************************************************************");
    }

    /** The URL the chat server uses to reach this broker; its password is the well-known guest one. */
    public String url() {
        return "amqp://guest:guest@127.0.0.1:" + port + "/%2F";
    }

    public int port() {
        return port;
    }

    /** Stops the broker; its threads are not daemons, so this must run for the JVM to exit. */
    @Override
    public void close() {
        if (launcher != null) {
            launcher.shutdown();
            launcher = null;
        }
    }

    private static String initialConfig() {
        // secureOnlyMechanisms: [] allows PLAIN without TLS; the defaultAlias lets vhost "/" (or any
        // name) resolve to the one virtual host; the DERBY virtual host keeps messages on disk
        return """
                {
                  "name": "estate-chat-dev",
                  "modelVersion": "9.0",
                  "authenticationproviders": [ {
                    "name": "plain",
                    "type": "Plain",
                    "secureOnlyMechanisms": [],
                    "users": [ { "name": "guest", "type": "managed", "password": "guest" } ]
                  } ],
                  "ports": [ {
                    "name": "AMQP",
                    "port": "${qpid.amqp_port}",
                    "bindingAddress": "127.0.0.1",
                    "protocols": [ "AMQP_0_9_1" ],
                    "authenticationProvider": "plain",
                    "virtualhostaliases": [
                      { "name": "nameAlias", "type": "nameAlias" },
                      { "name": "defaultAlias", "type": "defaultAlias" }
                    ]
                  } ],
                  "virtualhostnodes": [ {
                    "name": "default",
                    "type": "JSON",
                    "defaultVirtualHostNode": "true",
                    "storePath": "${qpid.work_dir}${file.separator}default-node.json",
                    "virtualHostInitialConfiguration": "{ \\"type\\": \\"DERBY\\", \\"storePath\\": \\"${qpid.work_dir}${file.separator}messages\\" }"
                  } ]
                }
                """;
    }
}
