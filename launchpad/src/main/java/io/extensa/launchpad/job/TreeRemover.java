package io.extensa.launchpad.job;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Deletes a job directory that hostile code may have filled with symlinks (to / or to other
 * jobs). Symlinks are removed, never followed: every entry is examined and deleted relative to an
 * open handle of its parent directory ({@code openat}/{@code unlinkat} underneath
 * {@link SecureDirectoryStream}), so renaming a directory into a symlink halfway cannot redirect
 * the walk. Directories the script made unreadable are made accessible to their owner first.
 */
final class TreeRemover {

    /** Each level holds an open directory handle; a deeper tree is left for the next start's sweep. */
    static final int MAX_DEPTH = 512;

    private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final EnumSet<PosixFilePermission> OWNER_ALL = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private TreeRemover() {
    }

    /** Deletes {@code root} and everything under it; a symlink at {@code root} itself is just unlinked. */
    static void delete(Path root) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(root, BasicFileAttributes.class, NO_FOLLOW);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!attributes.isDirectory()) {
            Files.delete(root);
            return;
        }
        makeAccessible(root);
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(root)) {
            if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
                throw new IOException("this platform cannot delete directories without following symlinks");
            }
            deleteContents(secure, root, 1);
        }
        Files.delete(root);
    }

    private static void deleteContents(SecureDirectoryStream<Path> directory, Path where, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException(where + " nests deeper than " + MAX_DEPTH + " directories");
        }
        // read all names first: unlinking while readdir() runs may skip entries
        List<Path> names = new ArrayList<>();
        for (Path entry : directory) {
            names.add(entry.getFileName());
        }
        for (Path name : names) {
            BasicFileAttributes attributes;
            try {
                attributes = directory.getFileAttributeView(name, BasicFileAttributeView.class, NO_FOLLOW)
                        .readAttributes();
            } catch (NoSuchFileException e) {
                continue;
            }
            if (attributes.isDirectory()) {
                Path child = where.resolve(name);
                SecureDirectoryStream<Path> sub;
                try {
                    sub = directory.newDirectoryStream(name, NO_FOLLOW);
                } catch (AccessDeniedException e) {
                    makeAccessible(child);
                    sub = directory.newDirectoryStream(name, NO_FOLLOW);
                }
                try (SecureDirectoryStream<Path> open = sub) {
                    deleteContents(open, child, depth + 1);
                } catch (AccessDeniedException e) {
                    // readable but not writable: entries could not be unlinked
                    makeAccessible(child);
                    try (SecureDirectoryStream<Path> again = directory.newDirectoryStream(name, NO_FOLLOW)) {
                        deleteContents(again, child, depth + 1);
                    }
                }
                directory.deleteDirectory(name);
            } else {
                directory.deleteFile(name);
            }
        }
    }

    /** Only ever called for a path just seen as a directory (not a link) while nothing else runs in the job. */
    private static void makeAccessible(Path directory) throws IOException {
        if (Files.isDirectory(directory, NO_FOLLOW)) {
            Files.setPosixFilePermissions(directory, OWNER_ALL);
        }
    }
}
