package io.extensa.server.postgres;

import io.extensa.server.ExtensaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/** The PostgreSQL server and client programs the managed cluster is run with. */
public record PostgresBinaries(Path binDir, int major) {

    /** Debian's layout: /usr/lib/postgresql/&lt;major&gt;/bin. */
    public static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
    public static final int PREFERRED_MAJOR = 15;
    static final List<String> REQUIRED = List.of("initdb", "pg_ctl", "postgres", "psql");

    public static final String INSTALL_HINT = "install PostgreSQL 15: apt-get install postgresql-15"
            + " (or set postgres.bin-dir in extensa.conf, or use an existing server with --postgres-url)";

    public Path initdb() {
        return binDir.resolve("initdb");
    }

    public Path pgCtl() {
        return binDir.resolve("pg_ctl");
    }

    public Path psql() {
        return binDir.resolve("psql");
    }

    /** {@code configured} when set (postgres.bin-dir), else the preferred (15) or newest major under {@code root}. */
    public static PostgresBinaries locate(Optional<Path> configured, Path root) {
        if (configured.isPresent()) {
            Path dir = configured.get();
            List<String> missing = REQUIRED.stream().filter(name -> !Files.isExecutable(dir.resolve(name))).toList();
            if (!missing.isEmpty()) {
                throw new ExtensaException("PostgreSQL binaries missing: postgres.bin-dir " + dir + " has no "
                        + String.join(", ", missing) + "; " + INSTALL_HINT);
            }
            return new PostgresBinaries(dir, majorOf(dir.getParent()).orElse(0));
        }
        List<PostgresBinaries> found = scan(root);
        return found.stream()
                .filter(b -> b.major() == PREFERRED_MAJOR)
                .findFirst()
                .or(() -> found.stream().max(Comparator.comparingInt(PostgresBinaries::major)))
                .orElseThrow(() -> new ExtensaException("PostgreSQL binaries missing: no initdb, pg_ctl, postgres and psql"
                        + " under " + root + "/<major>/bin; " + INSTALL_HINT));
    }

    public static PostgresBinaries locate(Optional<Path> configured) {
        return locate(configured, DEBIAN_ROOT);
    }

    /**
     * The binaries for an existing cluster: a cluster only runs with the major version that
     * created it (its PG_VERSION), so that one is chosen unless postgres.bin-dir says otherwise.
     */
    public static PostgresBinaries forCluster(Optional<Path> configured, Path pgdata, Path root) {
        OptionalInt clusterMajor = clusterMajor(pgdata);
        if (configured.isPresent() || clusterMajor.isEmpty()) {
            return locate(configured, root);
        }
        int major = clusterMajor.getAsInt();
        Path binDir = root.resolve(Integer.toString(major)).resolve("bin");
        if (REQUIRED.stream().allMatch(name -> Files.isExecutable(binDir.resolve(name)))) {
            return new PostgresBinaries(binDir, major);
        }
        throw new ExtensaException("PostgreSQL binaries missing: the cluster in " + pgdata + " was created by PostgreSQL "
                + major + ", whose binaries are not in " + binDir + "; install postgresql-" + major
                + ": apt-get install postgresql-" + major + " (or set postgres.bin-dir in extensa.conf)");
    }

    public static PostgresBinaries forCluster(Optional<Path> configured, Path pgdata) {
        return forCluster(configured, pgdata, DEBIAN_ROOT);
    }

    private static OptionalInt clusterMajor(Path pgdata) {
        try {
            String text = Files.readString(pgdata.resolve("PG_VERSION")).strip();
            return OptionalInt.of(Integer.parseInt(text.split("\\.")[0]));
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static List<PostgresBinaries> scan(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions
                    .flatMap(version -> majorOf(version).stream()
                            .mapToObj(major -> new PostgresBinaries(version.resolve("bin"), major)))
                    .filter(b -> REQUIRED.stream().allMatch(name -> Files.isExecutable(b.binDir().resolve(name))))
                    .toList();
        } catch (IOException e) {
            throw new ExtensaException("cannot look for PostgreSQL under " + root + ": " + e.getMessage(), e);
        }
    }

    private static OptionalInt majorOf(Path versionDir) {
        if (versionDir == null || versionDir.getFileName() == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(versionDir.getFileName().toString()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
