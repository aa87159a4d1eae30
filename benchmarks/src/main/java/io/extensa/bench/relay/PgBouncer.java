package io.extensa.bench.relay;

import io.extensa.bench.BenchStack;
import io.extensa.bench.system.CommandOutput;
import io.extensa.bench.system.Commands;
import io.extensa.bench.system.ProcFs;
import io.extensa.server.process.OsAccount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * PgBouncer as the relay users already trust: session pooling, listening on 127.0.0.1, pointed at
 * the same PostgreSQL Unix socket as the gateway, clients authenticated with SCRAM-SHA-256 against
 * the role's verifier (read from pg_authid), which PgBouncer then reuses to log in to PostgreSQL.
 * Runs as PostgreSQL's unprivileged account when we are root, with its own directory, in the
 * foreground as our child so it is stopped with us.
 */
final class PgBouncer implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/pgbouncer");

    private final Process process;
    private final int port;
    private final Path dir;
    private final String configText;

    private PgBouncer(Process process, int port, Path dir, String configText) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.configText = configText;
    }

    static Optional<Path> binary() {
        return Commands.findExecutable("pgbouncer", BINARY);
    }

    static PgBouncer start(BenchStack stack, Path dir) throws SQLException {
        Path binary = binary().orElseThrow(() -> new IllegalStateException(
                "pgbouncer is not installed (Debian: apt-get install pgbouncer)"));
        OsAccount account = stack.serviceAccount();
        String verifier = stack.queryValue("SELECT rolpassword FROM pg_authid WHERE rolname = '" + BenchStack.ROLE + "'");
        int port = freePort();
        Path authFile = dir.resolve("userlist.txt");
        Path configFile = dir.resolve("pgbouncer.ini");
        String config = config(stack.socketDir(), port, authFile);
        try {
            Files.writeString(authFile, "\"" + BenchStack.ROLE + "\" \"" + verifier + "\"\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(authFile, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(configFile, config, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!account.isCurrent()) {
            for (Path path : List.of(dir, authFile, configFile)) {
                account.takeOwnership(path);
            }
        }
        Process process;
        try {
            process = new ProcessBuilder(account.wrap(List.of(binary.toString(), configFile.toString())))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("pgbouncer.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start pgbouncer", e);
        }
        var bouncer = new PgBouncer(process, port, dir, config);
        try {
            bouncer.awaitListening(Duration.ofSeconds(15));
        } catch (RuntimeException e) {
            bouncer.close();
            throw e;
        }
        return bouncer;
    }

    /** The whole configuration: everything not named here is PgBouncer's default. */
    static String config(Path socketDir, int port, Path authFile) {
        return """
                [databases]
                %s = host=%s port=5432 dbname=%s

                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %d
                unix_socket_dir =
                auth_type = scram-sha-256
                auth_file = %s
                pool_mode = session
                max_client_conn = 100
                default_pool_size = 20
                """.formatted(BenchStack.DATABASE, socketDir, BenchStack.DATABASE, port, authFile);
    }

    private static int freePort() {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitListening(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("pgbouncer exited with code " + process.exitValue() + ":\n" + log());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                sleep(100);
            }
        }
        throw new IllegalStateException("pgbouncer did not listen on 127.0.0.1:" + port + " within "
                + limit.toSeconds() + " s:\n" + log());
    }

    int port() {
        return port;
    }

    /** pgbouncer's own pid: setpriv execs it, so it is the pid of the process we started. */
    long pid() {
        return process.pid();
    }

    boolean isPgBouncer() {
        return ProcFs.commandName(pid()).map(name -> name.startsWith("pgbouncer")).orElse(false);
    }

    String configText() {
        return configText;
    }

    String log() {
        try {
            return Files.readString(dir.resolve("pgbouncer.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static String version() {
        Optional<Path> binary = binary();
        if (binary.isEmpty()) {
            return "not installed";
        }
        CommandOutput output = Commands.run(List.of(binary.get().toString(), "--version"), Map.of(), Duration.ofSeconds(10));
        return output.stdout().lines().findFirst().orElse("unknown").strip();
    }

    /** SIGTERM (PgBouncer's immediate shutdown), SIGKILL after 10 s. Idempotent. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                Commands.kill(process);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Commands.kill(process);
        }
    }

    @Override
    public String toString() {
        return "pgbouncer (pid " + process.pid() + ", port " + port + ")";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
