package io.extensa.engine.catalog;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.client.PgClient;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extensa's catalog: its own tables in schema {@code extensa} of the catalog database, reached
 * over one service connection (not a client's: catalog changes take effect for the whole server,
 * whichever database the client is in). The schema is created and upgraded on first use.
 */
public final class Catalog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Catalog.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final CatalogConfig config;
    private final String onConnect;
    private PgClient client;
    private boolean bootstrapped;

    public Catalog(CatalogConfig config) {
        this(config, null);
    }

    /**
     * @param onConnect run on every new connection (e.g. a SET for this connection's use), or null
     */
    public Catalog(CatalogConfig config, String onConnect) {
        this.config = config;
        this.onConnect = onConnect;
    }

    /**
     * A connection for rows that may be lost in a crash (what runs now, for the monitoring views):
     * its commits do not wait for the WAL flush, so they cost no fsync each.
     */
    public static Catalog forTransientRows(CatalogConfig config) {
        return new Catalog(config, "SET synchronous_commit = off");
    }

    public CatalogConfig config() {
        return config;
    }

    /**
     * Runs one parameterized statement on the service connection, connecting (and creating the
     * schema) first if needed, and reconnecting once if the connection was lost.
     */
    public synchronized PgClient.Result query(String sql, String... values) throws PgException {
        try {
            return connection().query(sql, values);
        } catch (PgException e) {
            if (!lost(e)) {
                throw e;
            }
            log.warn("catalog connection lost ({}); reconnecting", e.getMessage());
            closeClient();
            return connection().query(sql, values);
        }
    }

    /** Runs several statements in one transaction (simple protocol); all or nothing. */
    public synchronized void transaction(List<String> statements) throws PgException {
        String script = "BEGIN;\n" + String.join(";\n", statements) + ";\nCOMMIT";
        try {
            connection().execute(script);
        } catch (PgException e) {
            try {
                if (client != null && client.isOpen()) {
                    client.execute("ROLLBACK");
                }
            } catch (PgException ignored) {
                // the connection is gone; the transaction with it
            }
            throw e;
        }
    }

    private PgClient connection() throws PgException {
        if (client == null || !client.isOpen()) {
            client = PgClient.connect(config.address(), config.user(), config.database(),
                    config.password() == null ? null : config.password().get(), CONNECT_TIMEOUT);
            log.info("catalog connection to database {} as {}", config.database(), config.user());
            if (onConnect != null) {
                client.execute(onConnect);
            }
        }
        if (!bootstrapped) {
            CatalogSchema.migrate(client);
            bootstrapped = true;
        }
        return client;
    }

    private static boolean lost(PgException e) {
        return e.sqlState().equals(SqlState.CONNECTION_FAILURE) || e.sqlState().startsWith("57P")
                || e.sqlState().equals(SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION);
    }

    private void closeClient() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    @Override
    public synchronized void close() {
        closeClient();
    }
}
