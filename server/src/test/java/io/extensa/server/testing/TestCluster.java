package io.extensa.server.testing;

import io.extensa.server.postgres.PostgresBinaries;
import io.extensa.server.process.CommandResult;
import io.extensa.server.process.CommandRunner;
import io.extensa.server.process.OsAccount;
import io.extensa.server.process.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A PostgreSQL cluster the tests run themselves, standing for an "existing" PostgreSQL that
 * Extensa must use but never start or stop. Unix socket only, trust authentication.
 */
public final class TestCluster implements AutoCloseable {

    private final Path base;
    private final OsAccount account;
    private final PostgresBinaries binaries;

    private TestCluster(Path base, OsAccount account, PostgresBinaries binaries) {
        this.base = base;
        this.account = account;
        this.binaries = binaries;
    }

    /** Initializes and starts a cluster in {@code base}/pg with its socket in {@code base}/sock. */
    public static TestCluster start(Path base) {
        OsAccount account = OsAccount.currentIsRoot() ? OsAccount.ensureSystemAccount("extensa") : OsAccount.current();
        PostgresBinaries binaries = PostgresBinaries.locate(Optional.empty());
        var cluster = new TestCluster(base, account, binaries);
        try {
            Files.createDirectories(cluster.socketDir());
            if (!account.isCurrent()) {
                account.takeOwnership(base);
                account.takeOwnership(cluster.socketDir());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cluster.run(List.of(binaries.initdb().toString(), "-D", cluster.pgdata().toString(), "-U", "postgres",
                "--auth=trust", "--no-instructions"));
        try {
            Files.writeString(cluster.pgdata().resolve("postgresql.conf"), "listen_addresses = ''\n"
                    + "unix_socket_directories = '" + cluster.socketDir() + "'\n", java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cluster.run(List.of(binaries.pgCtl().toString(), "start", "-D", cluster.pgdata().toString(), "-w",
                "-l", base.resolve("postgresql.log").toString()));
        return cluster;
    }

    public Path pgdata() {
        return base.resolve("pg");
    }

    public Path socketDir() {
        return base.resolve("sock");
    }

    /** A postgres.url for this cluster. */
    public String url() {
        return "postgresql:///postgres?host=" + socketDir();
    }

    public OptionalLong pid() {
        try {
            long pid = Long.parseLong(Files.readAllLines(pgdata().resolve("postmaster.pid")).get(0).trim());
            return Processes.isAlive(pid) ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** Runs SQL with psql as role postgres over the socket; returns unaligned output. */
    public String sql(String sql) {
        CommandResult result = CommandRunner.inherited().withoutEnvironmentPrefix("PG").run(List.of(
                binaries.psql().toString(), "-X", "-At", "-h", socketDir().toString(), "-U", "postgres", "-d", "postgres",
                "-c", sql));
        if (!result.succeeded()) {
            throw new IllegalStateException(result.describe());
        }
        return result.output().strip();
    }

    @Override
    public void close() {
        if (pid().isPresent()) {
            run(List.of(binaries.pgCtl().toString(), "stop", "-D", pgdata().toString(), "-m", "fast", "-w"));
        }
    }

    private void run(List<String> command) {
        CommandResult result = CommandRunner.inherited().withoutEnvironmentPrefix("PG").inDirectory(base)
                .withEnvironment(Map.of("HOME", base.toString())).run(account.wrap(command));
        if (!result.succeeded()) {
            throw new IllegalStateException(result.describe());
        }
    }
}
