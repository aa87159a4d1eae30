package io.extensa.server.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresBinariesTest {

    @TempDir
    Path root;

    private Path install(int major) throws IOException {
        Path bin = root.resolve(Integer.toString(major)).resolve("bin");
        Files.createDirectories(bin);
        for (String name : PostgresBinaries.REQUIRED) {
            Path program = bin.resolve(name);
            Files.writeString(program, "#!/bin/sh\n");
            Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return bin;
    }

    @Test
    void prefersFifteen() throws IOException {
        install(14);
        Path fifteen = install(15);
        install(16);

        assertThat(PostgresBinaries.locate(Optional.empty(), root)).isEqualTo(new PostgresBinaries(fifteen, 15));
    }

    @Test
    void otherwiseTakesTheNewest() throws IOException {
        install(13);
        Path sixteen = install(16);

        assertThat(PostgresBinaries.locate(Optional.empty(), root)).isEqualTo(new PostgresBinaries(sixteen, 16));
    }

    @Test
    void incompleteInstallationsDoNotCount() throws IOException {
        Path bin = root.resolve("15/bin");
        Files.createDirectories(bin);
        Files.writeString(bin.resolve("psql"), "client only");

        assertThatThrownBy(() -> PostgresBinaries.locate(Optional.empty(), root))
                .hasMessageContaining("PostgreSQL binaries missing")
                .hasMessageContaining("apt-get install postgresql-15");
    }

    @Test
    void configuredDirectoryMustHoldEveryProgram() throws IOException {
        Path empty = Files.createDirectories(root.resolve("empty"));

        assertThatThrownBy(() -> PostgresBinaries.locate(Optional.of(empty), root))
                .hasMessageContaining("has no initdb, pg_ctl, postgres, psql")
                .hasMessageContaining("apt-get install postgresql-15");
    }

    @Test
    void anExistingClusterKeepsItsMajorVersion(@TempDir Path pgdata) throws IOException {
        install(15);
        Path fourteen = install(14);
        Files.writeString(pgdata.resolve("PG_VERSION"), "14\n");

        assertThat(PostgresBinaries.forCluster(Optional.empty(), pgdata, root)).isEqualTo(new PostgresBinaries(fourteen, 14));
    }

    @Test
    void anExistingClusterWithoutItsBinariesSaysWhatToInstall(@TempDir Path pgdata) throws IOException {
        install(15);
        Files.writeString(pgdata.resolve("PG_VERSION"), "13\n");

        assertThatThrownBy(() -> PostgresBinaries.forCluster(Optional.empty(), pgdata, root))
                .hasMessageContaining("created by PostgreSQL 13")
                .hasMessageContaining("apt-get install postgresql-13");
    }
}
