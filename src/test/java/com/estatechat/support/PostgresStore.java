package com.estatechat.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A conversation store on the local PostgreSQL (127.0.0.1:5432, user postgres, trust) for one test
 * class: a schema of its own, and a Payara Micro set up for it the way an operator does (the driver
 * added with {@code --addlibs}, a pool and a JDBC resource created by asadmin at boot,
 * {@code chat.history.datasource} naming it). Tests read the rows directly.
 */
public final class PostgresStore implements AutoCloseable {

    private static final String DATABASE = "jdbc:postgresql://127.0.0.1:5432/postgres";

    private final String schema = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final String resource = "jdbc/" + schema;

    public PostgresStore() {
        execute("CREATE SCHEMA " + schema);
    }

    /** The settings that point the WAR at this store. */
    public Map<String, String> settings() {
        return Map.of("chat.history.datasource", resource);
    }

    /** Payara Micro options: the driver, and the asadmin commands that create the pool and the resource. */
    public String[] payaraOptions() {
        Path commands = Path.of("target", "payara-process", schema + "-post-boot.asadmin");
        try {
            Files.createDirectories(commands.getParent());
            Files.writeString(commands, String.join("\n", asadminCommands()) + "\n");
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the post-boot commands", e);
        }
        return new String[] {"--addlibs", Path.of("target", "postgresql.jar").toString(), "--postbootcommandfile",
                commands.toString()};
    }

    /** The asadmin commands that create the pool and the JDBC resource (the driver must be on the server's class path). */
    public List<String> asadminCommands() {
        return List.of("create-jdbc-connection-pool --datasourceclassname=org.postgresql.ds.PGSimpleDataSource"
                        + " --restype=javax.sql.DataSource --property=serverName=127.0.0.1:portNumber=5432"
                        + ":databaseName=postgres:user=postgres:password=unused:currentSchema=" + schema + " "
                        + schema + "-pool",
                "create-jdbc-resource --connectionpoolid=" + schema + "-pool " + resource);
    }

    /** The rows of a message, by recipient: {@code "<recipient> <status> <body> <delivered?> <read?>"}. */
    public List<String> rows(String messageId) {
        try (Connection connection = connect(); PreparedStatement query = connection.prepareStatement(
                "SELECT recipient_id, status, body, delivered_at IS NOT NULL, read_at IS NOT NULL FROM chat_message"
                        + " WHERE message_id = ? ORDER BY recipient_id")) {
            query.setString(1, messageId);
            List<String> rows = new ArrayList<>();
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    rows.add(result.getString(1) + " " + result.getInt(2) + " " + result.getString(3) + " "
                            + result.getBoolean(4) + " " + result.getBoolean(5));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many rows each of these messages has for its target (its own recipient row). */
    public Map<String, Integer> targetRows(Collection<String> messageIds) {
        try (Connection connection = connect()) {
            return StoreRows.targetRows(connection, messageIds);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(DATABASE + "?currentSchema=" + schema, "postgres", "");
    }

    private static void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(DATABASE, "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL on 127.0.0.1:5432 (user postgres, trust) is needed: " + sql, e);
        }
    }

    /** Drops the schema with everything in it. */
    @Override
    public void close() {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
}
