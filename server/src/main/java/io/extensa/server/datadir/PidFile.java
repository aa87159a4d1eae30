package io.extensa.server.datadir;

import io.extensa.server.ExtensaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.OptionalLong;

/** A file holding one process id, written atomically. */
public final class PidFile {

    private PidFile() {
    }

    public static void write(Path file, long pid) {
        AtomicFiles.write(file, pid + "\n");
    }

    /** The pid in the file; empty when there is no file or it does not hold a number. */
    public static OptionalLong read(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return text.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text.split("\\s+")[0]));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    public static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new ExtensaException("cannot remove " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes whole files through a temporary sibling and a rename, so readers never see half a file. */
    static final class AtomicFiles {
        private AtomicFiles() {
        }

        static void write(Path file, String content) {
            Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
            try {
                Files.writeString(temporary, content, StandardCharsets.UTF_8);
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new ExtensaException("cannot write " + file + ": " + e.getMessage(), e);
            }
        }
    }
}
