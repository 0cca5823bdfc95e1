package com.estatechat.history.control;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The conversation store's database, chosen by one setting: the operator's JDBC resource named by
 * {@code chat.history.datasource} (PostgreSQL in production, pooled by the server), or else an
 * embedded H2 database in files under {@code chat.history.embedded-path}, kept across restarts
 * and opened by one process at a time. The owner of the embedded pool: it closes it.
 */
@ApplicationScoped
public class StoreDataSource {

    private static final Logger LOG = Logger.getLogger(StoreDataSource.class.getName());

    @Inject
    HistorySettings settings;

    private JdbcConnectionPool embedded;

    /**
     * @throws StoreUnavailable when the JDBC resource is not found or the embedded files cannot be
     *         created; the message names the setting to fix
     */
    synchronized DataSource open() throws StoreUnavailable {
        if (settings.dataSource().isPresent()) {
            String name = settings.dataSource().get();
            try {
                return InitialContext.doLookup(name);
            } catch (NamingException | ClassCastException e) {
                throw new StoreUnavailable("chat.history.datasource names " + name
                        + ", which is not a JDBC resource of this server (" + e + ")", e);
            }
        }
        if (embedded == null) {
            Path path = settings.embeddedPath();
            try {
                Files.createDirectories(path.getParent());
            } catch (Exception e) {
                throw new StoreUnavailable("chat.history.embedded-path: cannot create " + path.getParent() + " (" + e + ")",
                        e);
            }
            // PostgreSQL's dialect, so that one set of SQL serves both databases
            embedded = JdbcConnectionPool.create("jdbc:h2:file:" + path
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", "sa", "");
            embedded.setMaxConnections(8);
            LOG.info(() -> "Conversation store: the embedded database in " + path + ".mv.db (set "
                    + "chat.history.datasource to a JDBC resource for PostgreSQL)");
        }
        return embedded;
    }

    /**
     * The mark of what {@code connection} has just committed ({@link WrittenMark}): H2's in this
     * process when it is one, else written (PostgreSQL's commit is).
     */
    WrittenMark written(Connection connection) throws SQLException {
        if (connection.isWrapperFor(JdbcConnection.class)
                && connection.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal local) {
            return WrittenMark.of(local.getDatabase().getStore().getMvStore());
        }
        return WrittenMark.WRITTEN;
    }

    /** Where the store is, for logs and readiness: the JNDI name, or the embedded files. */
    String describe() {
        return settings.dataSource().map(name -> "JDBC resource " + name)
                .orElseGet(() -> "embedded database " + settings.embeddedPath() + ".mv.db");
    }

    @PreDestroy
    synchronized void close() {
        if (embedded != null) {
            try {
                embedded.dispose();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Closing the embedded database failed", e);
            }
            embedded = null;
        }
    }
}
