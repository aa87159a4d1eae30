package io.extensa.engine.library;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The installed libraries on this machine: a cache of what the catalog holds, rebuilt from it when
 * missing. Layout (readable by satellites, written only by the engine):
 * <pre>
 * root/&lt;language&gt;/public/&lt;name&gt;-&lt;sha256 prefix&gt;/
 * root/&lt;language&gt;/private/&lt;owner&gt;/&lt;name&gt;-&lt;sha256 prefix&gt;/
 * root/.tmp/&lt;random&gt;/        installs in progress
 * </pre>
 * A library is installed into {@code .tmp} and renamed into place in one step, so a directory that
 * exists is complete; the content hash in its name makes an ALTERed library a new directory.
 */
public final class LibraryCache {

    private static final Logger log = LoggerFactory.getLogger(LibraryCache.class);

    private final Path root;
    private final String rCommand;
    private final ConcurrentHashMap<Path, Object> installing = new ConcurrentHashMap<>();

    public LibraryCache(Path root, String rCommand) {
        this.root = root.toAbsolutePath().normalize();
        this.rCommand = rCommand;
    }

    public Path root() {
        return root;
    }

    /** Removes what crashed installs left behind. */
    public void sweep() {
        Path tmp = root.resolve(".tmp");
        try (Stream<Path> leftovers = Files.exists(tmp) ? Files.list(tmp) : Stream.empty()) {
            leftovers.forEach(LibraryCache::deleteTree);
        } catch (IOException e) {
            log.warn("cannot sweep {}: {}", tmp, e.getMessage());
        }
    }

    /** Where a library lives once installed. */
    public Path directory(LibraryRecord library) {
        Path scope = root.resolve(library.language().toLowerCase(Locale.ROOT));
        scope = library.isPublic() ? scope.resolve("public") : scope.resolve("private").resolve(safe(library.owner()));
        return scope.resolve(safe(library.name()) + "-" + library.sha256().substring(0, 16));
    }

    public boolean isInstalled(LibraryRecord library) {
        return Files.isDirectory(directory(library), LinkOption.NOFOLLOW_LINKS);
    }

    /** Installs unless already there; returns the directory. Concurrent callers wait for one install. */
    public Path install(LibraryRecord library, ContentSource content) throws LibraryException {
        Path target = directory(library);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            return target;
        }
        Object lock = installing.computeIfAbsent(target, t -> new Object());
        try {
            synchronized (lock) {
                if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    return target;
                }
                installFresh(library, content.bytes(), target);
                return target;
            }
        } finally {
            installing.remove(target, lock);
        }
    }

    private void installFresh(LibraryRecord library, byte[] bytes, Path target) throws LibraryException {
        Path scratch = null;
        try {
            Path tmp = Files.createDirectories(root.resolve(".tmp"));
            scratch = Files.createDirectory(tmp.resolve(UUID.randomUUID().toString()));
            Path staging = Files.createDirectory(scratch.resolve("lib"));
            switch (library.language().toLowerCase(Locale.ROOT)) {
                case "python" -> PythonArchive.unpack(bytes, staging);
                case "r" -> RPackageArchive.install(bytes, library.name(), staging, scratch, rCommand);
                default -> throw LibraryException.invalid("libraries of language " + library.language()
                        + " cannot be installed");
            }
            makeReadable(staging);
            Files.createDirectories(target.getParent());
            makeReadableDirectories(target.getParent());
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r-xr-xr-x"));
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                log.debug("{} was installed concurrently", target);
            } catch (AtomicMoveNotSupportedException e) {
                throw LibraryException.installFailed("cannot move the installed library into " + target
                        + " atomically: " + e.getMessage());
            }
            log.info("installed {} library {} (owner {}) into {}", library.language(), library.name(),
                    library.owner(), target);
        } catch (IOException e) {
            throw LibraryException.installFailed("cannot install into " + root + ": " + e);
        } finally {
            if (scratch != null) {
                deleteTree(scratch);
            }
        }
    }

    /** Removes an installed library (DROP, or an old version after ALTER). */
    public void remove(LibraryRecord library) {
        Path target = directory(library);
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Path tmp = Files.createDirectories(root.resolve(".tmp"));
            Path trash = tmp.resolve("removed-" + UUID.randomUUID());
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(target, trash, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(trash);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", target, e.getMessage());
        }
    }

    /** Satellites may run as other accounts: everything installed is world-readable, never writable. */
    private static void makeReadable(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                boolean executable = Files.isDirectory(p) || Files.isExecutable(p);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(executable ? "r-xr-xr-x" : "r--r--r--"));
            }
        }
        // the top stays writable until it is in place: moving a directory rewrites its ".." entry
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void makeReadableDirectories(Path dir) throws IOException {
        for (Path p = dir; p != null && p.startsWith(root); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!Files.isSymbolicLink(p) && Files.isDirectory(p)) {
                    p.toFile().setWritable(true, true);
                }
                Path parent = p.getParent();
                if (parent != null) {
                    parent.toFile().setWritable(true, true);
                }
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", dir, e.getMessage());
        }
    }

    /** A file-name-safe form: [a-z0-9_.] kept, anything else hex-escaped. */
    static String safe(String name) {
        StringBuilder out = new StringBuilder();
        for (byte b : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' && out.length() > 0) {
                out.append(c);
            } else {
                out.append('%').append(HexFormat.of().toHexDigits(b));
            }
        }
        return out.toString();
    }

    /** Supplies a library's bytes only when an install needs them (they come from the catalog). */
    @FunctionalInterface
    public interface ContentSource {
        byte[] bytes() throws LibraryException;
    }
}
