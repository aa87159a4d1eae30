package io.extensa.server.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminPasswordTest {

    @TempDir
    Path dir;

    @Test
    void generatedPasswordsAreLongAlphanumericAndDistinct() {
        var seen = new HashSet<String>();
        for (int i = 0; i < 100; i++) {
            String password = AdminPassword.generate();
            assertThat(password).hasSizeGreaterThanOrEqualTo(24).matches("[A-Za-z0-9]+");
            seen.add(password);
        }
        assertThat(seen).hasSize(100);
    }

    @Test
    void writtenFileIsOwnerOnlyAndReadsBack() throws IOException {
        Path file = dir.resolve("admin-password");

        AdminPassword.write(file, "pw-1");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(AdminPassword.read(file)).contains("pw-1");
        AdminPassword.write(file, "pw-2");
        assertThat(AdminPassword.read(file)).contains("pw-2");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void readingTightensALoosenedMode() throws IOException {
        Path file = dir.resolve("admin-password");
        Files.writeString(file, "pw\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(AdminPassword.read(file)).contains("pw");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void missingFileIsEmptyAndEmptyFileIsAnError() throws IOException {
        assertThat(AdminPassword.read(dir.resolve("absent"))).isEmpty();
        Path empty = dir.resolve("empty");
        Files.writeString(empty, "\n");
        assertThatThrownBy(() -> AdminPassword.read(empty)).hasMessageContaining("is empty");
    }

    @Test
    void sqlLiteralDoublesQuotes() {
        assertThat(AdminPassword.sqlLiteral("it's")).isEqualTo("'it''s'");
        assertThat(AdminPassword.sqlLiteral("back\\slash")).isEqualTo("'back\\slash'");
    }

    @Test
    void configStringEscapesQuotesAndBackslashes() {
        assertThat(ManagedPostgres.configString("/data/o'neil\\x")).isEqualTo("'/data/o''neil\\\\x'");
    }
}
