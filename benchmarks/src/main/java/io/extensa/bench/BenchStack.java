package io.extensa.bench;

import io.extensa.bench.jdbc.UnixSocketFactory;
import io.extensa.server.ExtensaServer;
import io.extensa.server.ServerConfig;
import io.extensa.server.datadir.DataDirectory;
import io.extensa.server.logging.LogSetup;
import io.extensa.server.process.OsAccount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The Extensa every suite measures: the embedded default (managed PostgreSQL, launchpad, gateway)
 * started in this JVM on a fresh data directory, with nothing tuned. Gives suites the two ways to
 * reach the same PostgreSQL: through the gateway (TCP on 127.0.0.1) and directly over its Unix
 * socket, for pgjdbc, psql and pgbench.
 */
public final class BenchStack implements AutoCloseable {

    public static final String ROLE = "extensa";
    public static final String DATABASE = "extensa";
    public static final String PYTHON = "/usr/bin/python3";

    private final Path workDir;
    private final String password;
    private final ExtensaServer server;
    private final DataDirectory dataDir;
    private boolean keepWorkDir;

    private BenchStack(Path workDir, String password, ExtensaServer server) {
        this.workDir = workDir;
        this.password = password;
        this.server = server;
        this.dataDir = server.dataDirectory();
    }

    /**
     * Starts Extensa in a new 0755 directory under /tmp (PostgreSQL's unprivileged account must be
     * able to reach it when we run as root). The gateway log goes to DATA/log/gateway.log, as for
     * a detached server, so logging costs what it costs in production.
     */
    public static BenchStack start() {
        Path workDir = createWorkDir();
        String password = randomPassword();
        ServerConfig config = ServerConfig.builder(workDir.resolve("data"))
                .gatewayPort(0)
                .adminPassword(password)
                .launchpadSetting("language.python.interpreter", PYTHON)
                // the partitions suite fits a scikit-learn model per partition; PL/Python imports it once
                // per backend, Extensa's warm satellites get it from the fork server
                .launchpadSetting("language.python.preload", "sklearn.linear_model")
                .build();
        try {
            ExtensaServer.preflight(config);
            LogSetup.server(new DataDirectory(config.dataDir()).gatewayLog(), false, config.logLevel());
            return new BenchStack(workDir, password, ExtensaServer.start(config));
        } catch (RuntimeException | Error e) {
            deleteTree(workDir);
            throw e;
        }
    }

    private static Path createWorkDir() {
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "xbench-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory under /tmp", e);
        }
    }

    private static String randomPassword() {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder("bench-");
        for (int i = 0; i < 20; i++) {
            password.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return password.toString();
    }

    /** A directory for a suite's own files (PgBouncer's configuration, JFR recordings, scripts). */
    public Path workDir(String name) {
        Path dir = workDir.resolve(name);
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    public Path workDir() {
        return workDir;
    }

    public ExtensaServer server() {
        return server;
    }

    public String password() {
        return password;
    }

    public int gatewayPort() {
        return server.gatewayPort();
    }

    /** The directory of PostgreSQL's Unix socket (psql -h / pgbench -h). */
    public Path socketDir() {
        return dataDir.runDir();
    }

    public Path socketFile() {
        return dataDir.postgresSocket();
    }

    public long postgresPid() {
        return server.postgresPid().orElseThrow(() -> new IllegalStateException("PostgreSQL is not running"));
    }

    /** The OS account PostgreSQL runs as; peers that must not run as root (PgBouncer) use it too. */
    public OsAccount serviceAccount() {
        if (!OsAccount.currentIsRoot()) {
            return OsAccount.current();
        }
        String name = server.config().postgresAccount();
        return OsAccount.lookup(name).orElseThrow(() -> new IllegalStateException("no account " + name));
    }

    /** PGPASSWORD and friends for libpq programs (psql, pgbench, psycopg2). */
    public Map<String, String> libpqEnvironment() {
        return Map.of("PGPASSWORD", password, "PGUSER", ROLE, "PGDATABASE", DATABASE, "PGAPPNAME", "extensa-bench");
    }

    /** A pgjdbc connection through the gateway; {@code parameters} are URL parameters such as "preferQueryMode=simple". */
    public Connection gateway(String parameters) throws SQLException {
        return DriverManager.getConnection(gatewayUrl(parameters), credentials());
    }

    /** A pgjdbc connection straight to PostgreSQL's Unix socket (no relay). */
    public Connection direct(String parameters) throws SQLException {
        return DriverManager.getConnection(directUrl(parameters), credentials());
    }

    public String gatewayUrl(String parameters) {
        return "jdbc:postgresql://127.0.0.1:" + gatewayPort() + "/" + DATABASE + "?sslmode=disable"
                + (parameters.isEmpty() ? "" : "&" + parameters);
    }

    public String directUrl(String parameters) {
        return "jdbc:postgresql://localhost/" + DATABASE + "?sslmode=disable&gssEncMode=disable"
                + "&socketFactory=" + UnixSocketFactory.class.getName()
                + "&socketFactoryArg=" + URLEncoder.encode(socketFile().toString(), StandardCharsets.UTF_8)
                + (parameters.isEmpty() ? "" : "&" + parameters);
    }

    private Properties credentials() {
        Properties properties = new Properties();
        properties.setProperty("user", ROLE);
        properties.setProperty("password", password);
        properties.setProperty("ApplicationName", "extensa-bench");
        return properties;
    }

    /** Runs statements in order on a direct connection (setup outside any timing). */
    public void execute(String... statements) throws SQLException {
        try (Connection connection = direct(""); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** The first column of the first row of {@code sql}, run directly. */
    public String queryValue(String sql) throws SQLException {
        try (Connection connection = direct(""); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            if (!rows.next()) {
                throw new SQLException("no row from " + sql);
            }
            return rows.getString(1);
        }
    }

    /** Keeps the work directory (data directory and logs) after close, for a failed run. */
    public void keepWorkDir() {
        keepWorkDir = true;
    }

    /** Stops gateway, launchpad and PostgreSQL, then removes the work directory unless kept. */
    @Override
    public void close() {
        server.close();
        if (keepWorkDir) {
            System.err.println("bench: kept " + workDir + " (data directory and logs) for inspection");
        } else {
            deleteTree(workDir);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    System.err.println("bench: could not delete " + path + ": " + e.getMessage());
                }
            });
        } catch (IOException e) {
            System.err.println("bench: could not delete " + root + ": " + e.getMessage());
        }
    }
}
