package io.extensa.engine.library;

import java.nio.file.Path;

/** The rule every archive entry name must pass before anything is written: relative, inside, plain. */
final class ArchivePaths {

    private ArchivePaths() {
    }

    /** Refuses absolute paths, {@code ..} segments, backslashes, NUL and empty names (zip-slip). */
    static String check(String name) throws LibraryException {
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw LibraryException.invalid("the archive contains an entry with an empty or invalid name");
        }
        if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
            throw LibraryException.invalid("the archive contains an absolute path (" + name
                    + "); entries must stay inside the library");
        }
        if (name.indexOf('\\') >= 0) {
            throw LibraryException.invalid("the archive contains a backslash in " + name);
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                throw LibraryException.invalid("the archive contains a path that escapes the library (" + name + ")");
            }
        }
        return name;
    }

    /** The entry's place under {@code root}; checked again after normalizing, in case a rule above missed a form. */
    static Path resolveInside(Path root, String name) throws LibraryException {
        Path out = root.resolve(name).normalize();
        if (!out.startsWith(root) || out.equals(root)) {
            throw LibraryException.invalid("the archive contains a path that escapes the library (" + name + ")");
        }
        return out;
    }
}
