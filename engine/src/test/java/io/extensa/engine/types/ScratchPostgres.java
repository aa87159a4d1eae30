package io.extensa.engine.types;

import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL 15 cluster for golden tests: initdb into a temp directory, listening on
 * a Unix socket in that directory only, trust authentication. Started once per test JVM, stopped
 * and deleted at exit. Driven through psql, which speaks Unix sockets. Tests that use it are
 * skipped when the binaries are missing.
 */
final class ScratchPostgres {

    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final String NULL = "\u0002NULL\u0002";
    static final String FIELD_SEPARATOR = "\u001f";
    static final String RECORD_SEPARATOR = "\u001e";

    private static ScratchPostgres instance;

    private final Path dir;
    private final boolean root;

    private ScratchPostgres(Path dir, boolean root) {
        this.dir = dir;
        this.root = root;
    }

    /** The shared cluster; skips the calling test when PostgreSQL 15 is not installed. */
    static synchronized ScratchPostgres get() {
        Assumptions.assumeTrue(Files.isExecutable(BIN.resolve("initdb")) && Files.isExecutable(BIN.resolve("psql")),
                "PostgreSQL 15 binaries not found in " + BIN);
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    private static ScratchPostgres start() {
        try {
            boolean root = "root".equals(System.getProperty("user.name"));
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "extensa-types-pg-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            if (root) {
                run(List.of("chown", "postgres", dir.toString()), null, true);
            }
            ScratchPostgres pg = new ScratchPostgres(dir, root);
            pg.asOwner(List.of(BIN.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust",
                    "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"));
            pg.asOwner(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-l",
                    dir.resolve("log").toString(), "-o", "-k " + dir + " -c listen_addresses='' -c fsync=off", "start"));
            Runtime.getRuntime().addShutdownHook(new Thread(pg::stop));
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void stop() {
        try {
            asOwner(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                    "-w", "stop"));
        } catch (RuntimeException e) {
            // best effort at exit
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }

    private void asOwner(List<String> command) {
        List<String> full = new ArrayList<>();
        if (root) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full, null, true);
    }

    /** Runs SQL statements in one session and returns psql's unaligned, tuples-only output. */
    String psql(String... statements) {
        return new String(psqlBytes(null, statements), StandardCharsets.UTF_8);
    }

    /**
     * Runs statements; the last must be a single SELECT. Returns its rows, each as a list of
     * field texts exactly as PostgreSQL printed them (null for NULL).
     */
    List<List<String>> query(String... statements) {
        List<String> all = new ArrayList<>(List.of("\\pset null '" + NULL + "'"));
        all.addAll(List.of(statements));
        String out = psqlWith(List.of("-F", FIELD_SEPARATOR, "-R", RECORD_SEPARATOR), null, all);
        List<List<String>> rows = new ArrayList<>();
        if (out.isEmpty()) {
            return rows;
        }
        if (out.endsWith("\n")) {
            out = out.substring(0, out.length() - 1);
        }
        for (String record : out.split(RECORD_SEPARATOR, -1)) {
            List<String> fields = new ArrayList<>();
            for (String field : record.split(FIELD_SEPARATOR, -1)) {
                fields.add(field.equals(NULL) ? null : field);
            }
            rows.add(fields);
        }
        return rows;
    }

    /** The bytes of {@code COPY (query) TO STDOUT (FORMAT binary)}, after the setup statements. */
    byte[] copyOutBinary(String query, String... setup) {
        List<String> all = new ArrayList<>(List.of(setup));
        all.add("COPY (" + query + ") TO STDOUT (FORMAT binary)");
        return psqlBytes(null, all.toArray(String[]::new));
    }

    /** Feeds data to {@code COPY target FROM STDIN (FORMAT ...)}; returns psql's output. */
    String copyIn(String target, byte[] data, boolean binary, String... setup) {
        List<String> all = new ArrayList<>(List.of(setup));
        all.add("COPY " + target + " FROM STDIN" + (binary ? " (FORMAT binary)" : ""));
        return new String(psqlBytes(data, all.toArray(String[]::new)), StandardCharsets.UTF_8);
    }

    /** Like {@link #copyIn} but returns the error text instead of failing when PostgreSQL rejects the data. */
    String copyInError(String target, byte[] data, boolean binary, String... setup) {
        List<String> all = new ArrayList<>(List.of(setup));
        all.add("COPY " + target + " FROM STDIN" + (binary ? " (FORMAT binary)" : ""));
        try {
            psqlBytes(data, all.toArray(String[]::new));
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    private byte[] psqlBytes(byte[] stdin, String... statements) {
        return psqlWith(List.of(), stdin, List.of(statements)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private String psqlWith(List<String> options, byte[] stdin, List<String> statements) {
        List<String> command = new ArrayList<>(List.of(BIN.resolve("psql").toString(), "-X", "-q", "-A", "-t",
                "-v", "ON_ERROR_STOP=1", "-h", dir.toString(), "-U", "postgres", "-d", "postgres"));
        command.addAll(options);
        for (String statement : statements) {
            command.add("-c");
            command.add(statement);
        }
        byte[] out = run(command, stdin, true);
        boolean text = !options.isEmpty();
        return text ? new String(out, StandardCharsets.UTF_8) : new String(out, StandardCharsets.ISO_8859_1);
    }

    private static byte[] run(List<String> command, byte[] stdin, boolean check) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().put("PGCLIENTENCODING", "UTF8");
            Process process = builder.start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            }
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            if (check && process.exitValue() != 0) {
                throw new IllegalStateException(new String(err.join(), StandardCharsets.UTF_8).strip());
            }
            return out.join();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            in.transferTo(buffer);
            return buffer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
