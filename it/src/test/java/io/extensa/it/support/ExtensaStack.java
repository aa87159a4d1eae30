package io.extensa.it.support;

import io.extensa.server.ExtensaServer;
import io.extensa.server.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One real Extensa for all end-to-end tests of a JVM: managed PostgreSQL, launchpad daemon and
 * gateway, started on first use in a fresh data directory and stopped at JVM exit. Tests reach it
 * only the way users do: over the gateway's TCP port, with real clients.
 */
public final class ExtensaStack {

    public static final String PASSWORD = "it-secret-Pa55";
    public static final String PYTHON = "/usr/bin/python3";

    private static ExtensaStack instance;

    private final Path dataDir;
    private final ServerConfig config;
    private volatile ExtensaServer server;

    private ExtensaStack(Path dataDir, ServerConfig config, ExtensaServer server) {
        this.dataDir = dataDir;
        this.config = config;
        this.server = server;
    }

    public static synchronized ExtensaStack get() {
        if (instance == null) {
            Path dir = newDataDir();
            ServerConfig config = ServerConfig.builder(dir).gatewayPort(0).adminPassword(PASSWORD)
                    .launchpadSetting("language.python.interpreter", PYTHON).metricsPort(0).build();
            ExtensaServer server = ExtensaServer.start(config);
            instance = new ExtensaStack(dir, config, server);
            Runtime.getRuntime().addShutdownHook(new Thread(instance::stop, "extensa-it-stop"));
            try {
                instance.standbySatellites(SUITE_STANDBY_SATELLITES);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot configure the test stack: " + e.getMessage(), e);
            }
        }
        return instance;
    }

    private static Path newDataDir() {
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "xit");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void stop() {
        server.close();
        keepLogs();
        try (Stream<Path> walk = Files.walk(dataDir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** The stack's logs outlive it in target/extensa-logs, for whoever has to read why a test failed. */
    private void keepLogs() {
        Path target = Path.of("target", "extensa-logs");
        try (Stream<Path> logs = Files.list(dataDir.resolve("log"))) {
            Files.createDirectories(target);
            for (Path log : logs.toList()) {
                Files.copy(log, target.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException ignored) {
            // best effort
        }
    }

    /**
     * Stops the whole stack and starts it again on the same data directory (PostgreSQL, launchpad,
     * gateway), for what must survive a restart. The gateway's port changes; connect again.
     */
    public synchronized void restart() {
        server.close();
        server = ExtensaServer.start(config);
    }

    public ExtensaServer server() {
        return server;
    }

    public int port() {
        return server.gatewayPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    public String jdbcUrl(String extra) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/extensa" + (extra.isEmpty() ? "" : "?" + extra);
    }

    /** A pgjdbc connection through the gateway as role extensa. */
    public Connection connect() throws SQLException {
        return connect("");
    }

    public Connection connect(String urlParameters) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "extensa");
        p.setProperty("password", PASSWORD);
        return DriverManager.getConnection(jdbcUrl(urlParameters), p);
    }

    public Connection connectAs(String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return DriverManager.getConnection(jdbcUrl(""), p);
    }

    /** The product's default of sp_configure 'standby satellites'. */
    public static final int DEFAULT_STANDBY_SATELLITES = 2;
    /**
     * The suite's: none, since most tests count every job, job directory or worker account after
     * their calls, and a standby started for the caller's next call would be one more. The tests of
     * standbys, and the load test, turn them on.
     */
    public static final int SUITE_STANDBY_SATELLITES = 0;

    /**
     * Sets sp_configure 'standby satellites' and puts it in force; 0 also closes the standby
     * satellites waiting now, for tests that count every satellite, job directory or account.
     */
    public void standbySatellites(int count) throws SQLException {
        try (Connection c = connect(); java.sql.Statement s = c.createStatement()) {
            s.execute("EXEC sp_configure 'standby satellites', " + count);
            s.execute("RECONFIGURE");
        }
    }

    /** psql through the gateway; extra arguments follow the connection options. */
    public ProcessResult psql(String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of("psql", "-X", "-h", "127.0.0.1", "-p", String.valueOf(port()),
                "-U", "extensa", "-d", "extensa", "-v", "ON_ERROR_STOP=1"));
        command.addAll(List.of(args));
        return run(command, stdin, Map.of("PGPASSWORD", PASSWORD), Duration.ofMinutes(2));
    }

    /** A Python program (Debian's python3 with psycopg2) that finds the gateway in EXTENSA_DSN. */
    public ProcessResult python(String program) {
        String dsn = "host=127.0.0.1 port=" + port() + " dbname=extensa user=extensa password=" + PASSWORD;
        return run(List.of(PYTHON, "-c", program), "", Map.of("EXTENSA_DSN", dsn), Duration.ofMinutes(5));
    }

    public static ProcessResult run(List<String> command, String stdin, Map<String, String> env, Duration timeout) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().putAll(env);
            Path out = Files.createTempFile("it-out", ".txt");
            Path err = Files.createTempFile("it-err", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            ProcessResult r = new ProcessResult(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The gateway log once it matches every pattern, waiting up to ten seconds: a call's audit record
     * is written after its answer went to the client, so a test that reads the log right after the
     * call may be there first.
     */
    public static String awaitLog(String... patterns) {
        Path log = Path.of("target", "it-gateway.log");
        List<java.util.regex.Pattern> wanted = Stream.of(patterns).map(java.util.regex.Pattern::compile).toList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            String text;
            try {
                text = Files.readString(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            boolean all = wanted.stream().allMatch(p -> p.matcher(text).find());
            if (all || System.nanoTime() > deadline) {
                return text;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return text;
            }
        }
    }

    /** What is left in a jobs directory besides the launchpad's own files: job directories and pid files. */
    public static List<String> jobEntries(Path jobs) throws IOException {
        try (Stream<Path> entries = Files.list(jobs)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(name -> !name.equals(".lock") && !name.equals(".pools.conf")
                            && !name.startsWith(".forkserver-"))
                    .toList();
        }
    }
}
