package io.extensa.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster with its own pg_hba.conf, for tests that need server settings the
 * managed one does not have. Runs as the unprivileged account "extensa" when the tests run as root
 * (Extensa's own start creates that account); Unix socket only.
 */
public final class ScratchCluster implements AutoCloseable {

    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final Path dir;

    private ScratchCluster(Path dir) {
        this.dir = dir;
    }

    public static ScratchCluster start(String name, String hba) {
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "xpg-" + name);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            ScratchCluster c = new ScratchCluster(dir);
            c.chownToAccount(dir);
            c.run(List.of(BIN.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"));
            Files.writeString(dir.resolve("data/pg_hba.conf"), "local all postgres trust\n" + hba);
            c.run(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-l",
                    dir.resolve("log").toString(), "-o", "-c listen_addresses='' -k " + dir, "start"));
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path socketDir() {
        return dir;
    }

    /** Runs SQL as the cluster's superuser "postgres", whom pg_hba.conf always trusts locally. */
    public void psql(String sql) {
        run(List.of(BIN.resolve("psql").toString(), "-X", "-h", dir.toString(), "-U", "postgres", "-d", "postgres",
                "-v", "ON_ERROR_STOP=1", "-c", sql));
    }

    @Override
    public void close() {
        run(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w",
                "stop"));
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    private boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void chownToAccount(Path path) {
        if (root()) {
            ExtensaStack.run(List.of("chown", "-R", "extensa", path.toString()), "", Map.of(), Duration.ofSeconds(30))
                    .assertOk();
        }
    }

    private void run(List<String> command) {
        List<String> full = new ArrayList<>();
        if (root()) {
            full.addAll(List.of("runuser", "-u", "extensa", "--"));
        }
        full.addAll(command);
        ExtensaStack.run(full, "", Map.of(), Duration.ofMinutes(2)).assertOk();
    }
}
