package io.extensa.engine.library;

import io.extensa.engine.catalog.Catalog;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.client.PgClient;
import io.extensa.pgwire.intercept.BackendChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * External libraries: CREATE, ALTER and DROP against the catalog (content and metadata), the
 * installed copies in the {@link LibraryCache}, and the search path a script gets: the caller's
 * private libraries, then the public ones, then (implicitly, after them) the runtime's own packages.
 */
public final class ExternalLibraries {

    /** Languages whose libraries Extensa can install. */
    public static final List<String> LANGUAGES = List.of("Python", "R");
    static final long MAX_CONTENT_BYTES = 1L << 30;
    private static final long CACHE_NANOS = 5_000_000_000L;
    private static final String COLUMNS = "id, database_name, name, owner, language, scope, content_sha256, size";

    private final Catalog catalog;
    private final LibraryCache cache;
    private final Map<String, Cached> visible = new ConcurrentHashMap<>();

    private record Cached(List<LibraryRecord> libraries, long at) {
    }

    public ExternalLibraries(Catalog catalog, LibraryCache cache) {
        this.catalog = catalog;
        this.cache = cache;
    }

    public LibraryCache cache() {
        return cache;
    }

    /** The archive's bytes: inline, or read from a server path (which needs pg_read_server_files). */
    public static byte[] content(byte[] inline, String serverPath, LibraryCaller caller) throws PgException {
        if (inline != null) {
            return inline;
        }
        if (!caller.mayReadServerFiles()) {
            throw new PgException(SqlState.INSUFFICIENT_PRIVILEGE, "permission denied to read the library from the "
                    + "server file " + serverPath).withHint("only superusers and members of pg_read_server_files may "
                    + "name a server file; others pass the content as 0x...");
        }
        Path path = Path.of(serverPath);
        try {
            long size = Files.size(path);
            if (size > MAX_CONTENT_BYTES) {
                throw new PgException(SqlState.PROGRAM_LIMIT_EXCEEDED, "the library file " + serverPath + " is "
                        + (size >> 20) + " MiB; at most " + (MAX_CONTENT_BYTES >> 20) + " MiB");
            }
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new PgException(SqlState.UNDEFINED_OBJECT, "cannot read the library file " + serverPath + ": "
                    + e.getMessage());
        }
    }

    /** Validates the archive for the library's name and language; returns its files. */
    public static List<LibraryFile> inspect(String name, String language, byte[] content) throws PgException {
        try {
            return switch (language.toLowerCase(Locale.ROOT)) {
                case "python" -> PythonArchive.inspect(content, name);
                case "r" -> RPackageArchive.inspect(content, name);
                default -> throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "external libraries of language '"
                        + language + "' are not supported; supported: " + String.join(", ", LANGUAGES));
            };
        } catch (LibraryException e) {
            throw e.toPgException(name);
        }
    }

    /** The library of that name owned by {@code owner} in the database, or null. */
    public LibraryRecord find(String database, String name, String owner) throws PgException {
        List<LibraryRecord> found = records(catalog.query("SELECT " + COLUMNS + " FROM extensa.external_libraries "
                + "WHERE database_name = $1 AND lower(name) = lower($2) AND owner = $3", database, name, owner));
        return found.isEmpty() ? null : found.get(0);
    }

    /** All libraries of that name in the database, whoever owns them. */
    public List<LibraryRecord> findAll(String database, String name) throws PgException {
        return records(catalog.query("SELECT " + COLUMNS + " FROM extensa.external_libraries "
                + "WHERE database_name = $1 AND lower(name) = lower($2) ORDER BY owner", database, name));
    }

    /**
     * Installs the library (so a broken one fails here, not in some later script), then records it.
     * A failure leaves neither a catalog row nor an installed directory behind.
     */
    public LibraryRecord create(String database, String name, String owner, String language, int scope,
                                byte[] content, List<LibraryFile> files) throws PgException {
        String sha = sha256(content);
        LibraryRecord draft = new LibraryRecord(0, database, name, owner, language, scope, sha, content.length);
        boolean existed = cache.isInstalled(draft);
        install(draft, content);
        try {
            String id = catalog.query("""
                    WITH lib AS (
                        INSERT INTO extensa.external_libraries
                            (database_name, name, owner, language, scope, content, content_sha256, size)
                        VALUES ($1, $2, $3, $4, $5::smallint, decode($6, 'hex'), $7, $8::bigint) RETURNING id),
                    files AS (
                        INSERT INTO extensa.external_library_files (library_id, path, size)
                        SELECT lib.id, f.path, f.size FROM lib, json_to_recordset($9::json) AS f(path text, size bigint))
                    SELECT id FROM lib""", database, name, owner, language, String.valueOf(scope),
                    HexFormat.of().formatHex(content), sha, String.valueOf(content.length), json(files)).single();
            invalidate();
            return new LibraryRecord(Integer.parseInt(id), database, name, owner, language, scope, sha,
                    content.length);
        } catch (PgException e) {
            if (!existed) {
                cache.remove(draft);
            }
            if (e.sqlState().equals("23505")) {
                throw new PgException(SqlState.DUPLICATE_OBJECT, "external library \"" + name + "\" of owner \""
                        + owner + "\" already exists").withHint("use ALTER EXTERNAL LIBRARY to replace its content");
            }
            throw e;
        }
    }

    /** Replaces the content: the new version is installed first, the old one removed after the catalog changed. */
    public LibraryRecord alter(LibraryRecord old, byte[] content, List<LibraryFile> files) throws PgException {
        String sha = sha256(content);
        LibraryRecord updated = new LibraryRecord(old.id(), old.database(), old.name(), old.owner(), old.language(),
                old.scope(), sha, content.length);
        boolean existed = cache.isInstalled(updated);
        install(updated, content);
        try {
            catalog.query("""
                    WITH lib AS (
                        UPDATE extensa.external_libraries
                        SET content = decode($2, 'hex'), content_sha256 = $3, size = $4::bigint, altered = now()
                        WHERE id = $1::int RETURNING id),
                    new_files AS (SELECT f.path, f.size FROM json_to_recordset($5::json) AS f(path text, size bigint)),
                    gone AS (
                        DELETE FROM extensa.external_library_files
                        WHERE library_id = $1::int AND path NOT IN (SELECT path FROM new_files)),
                    added AS (
                        INSERT INTO extensa.external_library_files (library_id, path, size)
                        SELECT lib.id, n.path, n.size FROM lib, new_files n
                        ON CONFLICT (library_id, path) DO UPDATE SET size = excluded.size)
                    SELECT id FROM lib""", String.valueOf(old.id()), HexFormat.of().formatHex(content), sha,
                    String.valueOf(content.length), json(files));
        } catch (PgException e) {
            if (!existed) {
                cache.remove(updated);
            }
            throw e;
        }
        invalidate();
        if (!old.sha256().equals(sha)) {
            cache.remove(old);
        }
        return updated;
    }

    public void drop(LibraryRecord library) throws PgException {
        catalog.query("DELETE FROM extensa.external_libraries WHERE id = $1::int", String.valueOf(library.id()));
        invalidate();
        cache.remove(library);
    }

    /**
     * The library directories a script of {@code language} in {@code database} searches, in order:
     * the current role's private libraries, then the public ones. Missing installs are redone from
     * the catalog first. Asks the caller's connection who the current role is only when private
     * libraries exist.
     */
    public List<Path> searchPath(BackendChannel backend, String database, String language) throws PgException {
        List<LibraryRecord> libraries = visible(database, language);
        if (libraries.isEmpty()) {
            return List.of();
        }
        String role = null;
        if (libraries.stream().anyMatch(l -> !l.isPublic())) {
            role = LibraryCaller.of(backend).role();
        }
        List<Path> path = new ArrayList<>();
        for (int scope : new int[] {LibraryRecord.PRIVATE, LibraryRecord.PUBLIC}) {
            for (LibraryRecord l : libraries) {
                if (l.scope() != scope || scope == LibraryRecord.PRIVATE && !l.owner().equals(role)) {
                    continue;
                }
                try {
                    path.add(cache.install(l, () -> storedContent(l)));
                } catch (LibraryException e) {
                    throw e.toPgException(l.name());
                }
            }
        }
        return path;
    }

    private List<LibraryRecord> visible(String database, String language) throws PgException {
        String key = database + "\0" + language.toLowerCase(Locale.ROOT);
        Cached c = visible.get(key);
        if (c != null && System.nanoTime() - c.at() < CACHE_NANOS) {
            return c.libraries();
        }
        List<LibraryRecord> libraries = records(catalog.query("SELECT " + COLUMNS + " FROM extensa.external_libraries "
                + "WHERE database_name = $1 AND lower(language) = lower($2) ORDER BY lower(name), owner", database,
                language));
        libraries.sort(Comparator.comparing((LibraryRecord l) -> l.name().toLowerCase(Locale.ROOT)));
        visible.put(key, new Cached(List.copyOf(libraries), System.nanoTime()));
        return libraries;
    }

    private void invalidate() {
        visible.clear();
    }

    private byte[] storedContent(LibraryRecord library) throws LibraryException {
        try {
            String hex = catalog.query("SELECT encode(content, 'hex') FROM extensa.external_libraries "
                    + "WHERE id = $1::int AND content_sha256 = $2", String.valueOf(library.id()), library.sha256())
                    .single();
            if (hex == null) {
                throw LibraryException.installFailed("it was altered or dropped meanwhile; run the script again");
            }
            return HexFormat.of().parseHex(hex);
        } catch (PgException e) {
            throw LibraryException.installFailed("cannot read it from the catalog: " + e.getMessage());
        }
    }

    private void install(LibraryRecord library, byte[] content) throws PgException {
        try {
            cache.install(library, () -> content);
        } catch (LibraryException e) {
            throw e.toPgException(library.name());
        }
    }

    private static List<LibraryRecord> records(PgClient.Result result) {
        List<LibraryRecord> out = new ArrayList<>();
        for (List<String> r : result.rows()) {
            out.add(new LibraryRecord(Integer.parseInt(r.get(0)), r.get(1), r.get(2), r.get(3), r.get(4),
                    Integer.parseInt(r.get(5)), r.get(6), Long.parseLong(r.get(7))));
        }
        return out;
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String json(List<LibraryFile> files) {
        StringBuilder out = new StringBuilder("[");
        for (int k = 0; k < files.size(); k++) {
            LibraryFile f = files.get(k);
            out.append(k == 0 ? "" : ",").append("{\"path\":\"");
            for (char c : f.path().toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append("\",\"size\":").append(f.size()).append('}');
        }
        return out.append(']').toString();
    }
}
