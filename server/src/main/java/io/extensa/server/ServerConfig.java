package io.extensa.server;

import io.extensa.server.config.PostgresUrl;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything {@link ExtensaServer#start} needs, already resolved (the CLI builds it from flags,
 * environment, config file and defaults with {@link io.extensa.server.config.ConfigResolver}).
 *
 * @param dataDir          the data directory (see docs/operations.md for its layout)
 * @param listenHost       address the gateway binds, 127.0.0.1 by default
 * @param gatewayPort      TCP port of the gateway; 0 picks a free one
 * @param externalPostgres an existing PostgreSQL to relay to; empty runs the managed one in dataDir/pgdata
 * @param postgresBinDir   where initdb, pg_ctl and psql live; empty finds /usr/lib/postgresql/&lt;major&gt;/bin
 * @param postgresAccount  the unprivileged OS account that runs the managed PostgreSQL when Extensa runs as root
 * @param adminPassword    password for role extensa ({@code EXTENSA_ADMIN_PASSWORD}); empty generates one
 *                         into dataDir/admin-password
 * @param tls              certificate and key for clients that ask for TLS; empty answers SSLRequest with 'N'
 * @param launchpadSettings {@code launchpad.*} and {@code language.*} settings, passed to the launchpad as they are
 * @param logLevel         level of Extensa's own loggers (and the launchpad's)
 * @param catalog          the catalog login on an external PostgreSQL
 * @param metricsPort      port of the Prometheus endpoint on 127.0.0.1; -1 = none (the default), 0 = any free port
 */
public record ServerConfig(
        Path dataDir,
        String listenHost,
        int gatewayPort,
        Optional<PostgresUrl> externalPostgres,
        Optional<Path> postgresBinDir,
        String postgresAccount,
        Optional<String> adminPassword,
        Optional<Tls> tls,
        Map<String, String> launchpadSettings,
        String logLevel,
        Optional<CatalogLogin> catalog,
        int metricsPort) {

    public static final String DEFAULT_LISTEN_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 5433;
    public static final String DEFAULT_POSTGRES_ACCOUNT = "extensa";
    public static final String DEFAULT_LOG_LEVEL = "INFO";

    /**
     * The service login for Extensa's catalog on an external PostgreSQL (the managed one uses role
     * extensa and its admin password): a role allowed to create schema {@code extensa} in the database.
     */
    public record CatalogLogin(String database, String user, Optional<Path> passwordFile) {
        public CatalogLogin {
            Objects.requireNonNull(database, "database");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(passwordFile, "passwordFile");
        }
    }

    /** A PEM certificate chain and its PEM private key. */
    public record Tls(Path certificate, Path key) {
        public Tls {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(key, "key");
        }
    }

    public ServerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        dataDir = dataDir.toAbsolutePath().normalize();
        Objects.requireNonNull(listenHost, "listenHost");
        if (gatewayPort < 0 || gatewayPort > 65535) {
            throw new IllegalArgumentException("gatewayPort out of range: " + gatewayPort);
        }
        Objects.requireNonNull(externalPostgres, "externalPostgres");
        Objects.requireNonNull(postgresBinDir, "postgresBinDir");
        Objects.requireNonNull(postgresAccount, "postgresAccount");
        Objects.requireNonNull(adminPassword, "adminPassword");
        Objects.requireNonNull(tls, "tls");
        launchpadSettings = Map.copyOf(launchpadSettings);
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(catalog, "catalog");
        if (metricsPort < -1 || metricsPort > 65535) {
            throw new IllegalArgumentException("metricsPort out of range: " + metricsPort);
        }
    }

    public boolean managedPostgres() {
        return externalPostgres.isEmpty();
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    public Builder toBuilder() {
        var builder = new Builder(dataDir);
        builder.listenHost = listenHost;
        builder.gatewayPort = gatewayPort;
        builder.externalPostgres = externalPostgres;
        builder.postgresBinDir = postgresBinDir;
        builder.postgresAccount = postgresAccount;
        builder.adminPassword = adminPassword;
        builder.tls = tls;
        builder.launchpadSettings = new TreeMap<>(launchpadSettings);
        builder.logLevel = logLevel;
        builder.catalog = catalog;
        builder.metricsPort = metricsPort;
        return builder;
    }

    /** Defaults everywhere; tests typically set only {@code gatewayPort(0)}. */
    public static final class Builder {
        private final Path dataDir;
        private String listenHost = DEFAULT_LISTEN_HOST;
        private int gatewayPort = DEFAULT_PORT;
        private Optional<PostgresUrl> externalPostgres = Optional.empty();
        private Optional<Path> postgresBinDir = Optional.empty();
        private String postgresAccount = DEFAULT_POSTGRES_ACCOUNT;
        private Optional<String> adminPassword = Optional.empty();
        private Optional<Tls> tls = Optional.empty();
        private Map<String, String> launchpadSettings = new TreeMap<>();
        private String logLevel = DEFAULT_LOG_LEVEL;
        private Optional<CatalogLogin> catalog = Optional.empty();
        private int metricsPort = -1;

        private Builder(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        }

        public Builder listenHost(String host) {
            this.listenHost = host;
            return this;
        }

        public Builder gatewayPort(int port) {
            this.gatewayPort = port;
            return this;
        }

        public Builder externalPostgres(PostgresUrl url) {
            this.externalPostgres = Optional.of(url);
            return this;
        }

        public Builder postgresBinDir(Path directory) {
            this.postgresBinDir = Optional.of(directory);
            return this;
        }

        public Builder postgresAccount(String account) {
            this.postgresAccount = account;
            return this;
        }

        public Builder adminPassword(String password) {
            this.adminPassword = Optional.of(password);
            return this;
        }

        public Builder tls(Path certificate, Path key) {
            this.tls = Optional.of(new Tls(certificate, key));
            return this;
        }

        public Builder launchpadSetting(String key, String value) {
            this.launchpadSettings.put(key, value);
            return this;
        }

        public Builder logLevel(String level) {
            this.logLevel = level;
            return this;
        }

        public Builder catalog(CatalogLogin login) {
            this.catalog = Optional.of(login);
            return this;
        }

        /** Serve Prometheus metrics on 127.0.0.1:port (0 = any free port). */
        public Builder metricsPort(int port) {
            this.metricsPort = port;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(dataDir, listenHost, gatewayPort, externalPostgres, postgresBinDir,
                    postgresAccount, adminPassword, tls, launchpadSettings, logLevel, catalog, metricsPort);
        }
    }
}
