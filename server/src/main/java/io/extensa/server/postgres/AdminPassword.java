package io.extensa.server.postgres;

import io.extensa.server.ExtensaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.Set;

/** The password of role {@code extensa}, and the 0600 file a generated one is kept in. */
public final class AdminPassword {

    static final int GENERATED_LENGTH = 32;
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private AdminPassword() {
    }

    /** 32 characters from an unambiguous alphanumeric alphabet (about 186 bits). */
    public static String generate() {
        var password = new StringBuilder(GENERATED_LENGTH);
        for (int i = 0; i < GENERATED_LENGTH; i++) {
            password.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return password.toString();
    }

    /** The password in {@code file}, tightening its mode to 0600 if someone loosened it. */
    public static Optional<String> read(Path file) {
        try {
            String password = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
            if (password.isEmpty()) {
                throw new ExtensaException(file + " is empty; delete it only together with the cluster (pgdata),"
                        + " or set EXTENSA_ADMIN_PASSWORD to the password of role extensa");
            }
            return Optional.of(password);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ExtensaException("cannot read the admin password file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the file with mode 0600 from the first byte (never briefly world-readable). */
    public static void write(Path file, String password) {
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(temporary);
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            Files.writeString(temporary, password + "\n", StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ExtensaException("cannot write the admin password file " + file + ": " + e.getMessage(), e);
        }
    }

    /** A SQL string literal (standard_conforming_strings is on by default since PostgreSQL 9.1). */
    static String sqlLiteral(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
