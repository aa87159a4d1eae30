package io.extensa.server.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.extensa.server.ExtensaException;
import io.extensa.server.datadir.DataDirectory;
import io.extensa.server.process.OsAccount;
import io.extensa.server.process.Processes;
import io.extensa.server.testing.ProcScan;
import io.extensa.server.testing.Psql;
import io.extensa.server.testing.TestDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The managed cluster with real initdb/pg_ctl/postgres, reached with the real psql over its Unix
 * socket. As root (CI) PostgreSQL runs as the system account extensa; otherwise as ourselves.
 */
class ManagedPostgresIT {

    private Path base;
    private DataDirectory dir;
    private ManagedPostgres postgres;

    @BeforeEach
    void createDataDirectory() {
        base = TestDirs.create("mpg");
        dir = new DataDirectory(base.resolve("d"));
        dir.prepare();
    }

    @AfterEach
    void stopAndRemove() {
        if (postgres != null) {
            postgres.stop();
        }
        assertThat(ProcScan.processesMentioning(dir.root())).isEmpty();
        TestDirs.delete(base);
    }

    private ManagedPostgres managed() {
        return ManagedPostgres.forStart(dir, PostgresBinaries.locate(Optional.empty()), "extensa");
    }

    private String query(String password, String sql) {
        return Psql.query(dir.runDir().toString(), DataDirectory.POSTGRES_SOCKET_PORT, password, sql);
    }

    @Test
    void firstStartInitializesAClusterThatListensOnlyOnItsSocket() throws IOException {
        postgres = managed();

        String password = postgres.start(Optional.empty());

        assertThat(query(password, "SELECT current_user || ' ' || current_database()")).isEqualTo("extensa extensa");
        assertThat(query(password, "SELECT rolsuper FROM pg_roles WHERE rolname = 'extensa'")).isEqualTo("t");
        assertThat(query(password, "SHOW listen_addresses")).isEmpty();
        assertThat(query(password, "SHOW unix_socket_directories")).isEqualTo(dir.runDir().toString());
        assertThat(query(password, "SELECT pg_encoding_to_char(encoding) || ' ' || datcollate FROM pg_database"
                + " WHERE datname = 'extensa'")).isEqualTo("UTF8 C.UTF-8");
        assertThat(query(password, "SHOW password_encryption")).isEqualTo("scram-sha-256");
        assertThat(ProcScan.listensOnTcp(postgres.pid().getAsLong())).as("PostgreSQL must not listen on TCP").isFalse();

        assertThat(Files.readString(dir.adminPasswordFile()).strip()).isEqualTo(password);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.adminPasswordFile())))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.pgdata()))).isEqualTo("rwx------");
        OsAccount expected = OsAccount.currentIsRoot() ? OsAccount.lookup("extensa").orElseThrow() : OsAccount.current();
        assertThat(OsAccount.ownerUid(dir.pgdata())).isEqualTo(expected.uid());
        if (OsAccount.currentIsRoot()) {
            assertThat(OsAccount.ownerUid(dir.runDir())).as("run/ stays root's").isZero();
            assertThat(Files.getAttribute(dir.runDir(), "unix:gid")).isEqualTo(expected.gid());
            assertThat((Integer) Files.getAttribute(dir.runDir(), "unix:mode") & 07777).isEqualTo(01775);
        }
        assertThat(ProcessHandle.of(postgres.pid().getAsLong()).flatMap(h -> h.info().user())).contains(expected.name());
        assertThat(Files.readString(dir.postgresLog())).contains("database system is ready to accept connections");
        assertThat(dir.runDir().resolve(".initdb-password")).doesNotExist();

        assertThat(Psql.run(dir.runDir().toString(), 5432, "wrong", "SELECT 1").output())
                .contains("password authentication failed");
    }

    @Test
    void restartKeepsDataAndReusesTheStoredPassword() throws IOException {
        postgres = managed();
        String password = postgres.start(Optional.empty());
        query(password, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)");
        long firstPid = postgres.pid().getAsLong();

        postgres.stop();
        assertThat(postgres.isRunning()).isFalse();
        assertThat(Processes.isAlive(firstPid)).isFalse();
        assertThat(dir.postgresSocket()).doesNotExist();

        postgres = managed();
        assertThat(postgres.start(Optional.empty())).isEqualTo(password);
        assertThat(query(password, "SELECT v FROM kept")).isEqualTo("42");
        assertThat(Files.readString(dir.adminPasswordFile()).strip()).isEqualTo(password);
    }

    @Test
    void environmentPasswordIsUsedAndNotWrittenDown() {
        postgres = managed();

        assertThat(postgres.start(Optional.of("from-the-env 'quoted'"))).isEqualTo("from-the-env 'quoted'");

        assertThat(query("from-the-env 'quoted'", "SELECT 1")).isEqualTo("1");
        assertThat(dir.adminPasswordFile()).doesNotExist();

        postgres.stop();
        ManagedPostgres again = managed();
        assertThatThrownBy(() -> again.start(Optional.empty()))
                .isInstanceOf(ExtensaException.class)
                .hasMessageContaining("EXTENSA_ADMIN_PASSWORD");
        assertThat(again.start(Optional.of("from-the-env 'quoted'"))).isEqualTo("from-the-env 'quoted'");
        postgres = again;
    }

    @Test
    void aChangedEnvironmentPasswordReplacesTheStoredOne() throws IOException {
        postgres = managed();
        String generated = postgres.start(Optional.empty());
        postgres.stop();

        postgres = managed();
        postgres.start(Optional.of("new-secret"));

        assertThat(query("new-secret", "SELECT 1")).isEqualTo("1");
        assertThat(Psql.run(dir.runDir().toString(), 5432, generated, "SELECT 1").succeeded()).isFalse();
        assertThat(Files.readString(dir.adminPasswordFile()).strip()).isEqualTo("new-secret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.adminPasswordFile())))
                .isEqualTo("rw-------");
    }

    @Test
    void anUnknownEnvironmentPasswordIsRefusedClearly() {
        postgres = managed();
        postgres.start(Optional.of("first"));
        postgres.stop();

        ManagedPostgres again = managed();
        assertThatThrownBy(() -> again.start(Optional.of("second")))
                .hasMessageContaining("EXTENSA_ADMIN_PASSWORD is not the password of role extensa");
        postgres = again;
    }

    @Test
    void leftoverRunningClusterIsAdopted() {
        postgres = managed();
        String password = postgres.start(Optional.empty());
        long pid = postgres.pid().getAsLong();

        ManagedPostgres afterCrash = managed();
        assertThat(afterCrash.start(Optional.empty())).isEqualTo(password);
        assertThat(afterCrash.pid()).hasValue(pid);
        postgres = afterCrash;
    }

    @Test
    void existingFindsARunningClusterForStop() {
        postgres = managed();
        postgres.start(Optional.empty());

        ManagedPostgres found = ManagedPostgres.existingIfRunning(dir, Optional.empty()).orElseThrow();
        found.stop();

        assertThat(postgres.isRunning()).isFalse();
        assertThat(ManagedPostgres.existingIfRunning(dir, Optional.empty())).isEmpty();
    }

    @Test
    void asRootADataDirectoryTheAccountCannotReachIsRefused() throws IOException {
        assumeThat(OsAccount.currentIsRoot()).as("only root runs PostgreSQL as another account").isTrue();
        Path closed = base.resolve("closed");
        Files.createDirectory(closed, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        var hidden = new DataDirectory(closed.resolve("d"));
        hidden.prepare();

        assertThatThrownBy(() -> ManagedPostgres.forStart(hidden, PostgresBinaries.locate(Optional.empty()), "extensa"))
                .hasMessageContaining("cannot reach the data directory " + hidden.root())
                .hasMessageContaining("may not enter " + closed)
                .hasMessageContaining("--data-dir /var/lib/extensa");
    }

    @Test
    void asRootAClusterOfAnotherAccountIsRefused() throws IOException {
        assumeThat(OsAccount.currentIsRoot()).isTrue();
        Files.createDirectory(dir.pgdata());

        assertThatThrownBy(this::managed).hasMessageContaining("belongs to root, but PostgreSQL would run as extensa");
    }

    @Test
    void aTooLongSocketPathIsRefused() {
        var deep = new DataDirectory(base.resolve("x".repeat(100)));

        assertThatThrownBy(() -> ManagedPostgres.forStart(deep, PostgresBinaries.locate(Optional.empty()), "extensa"))
                .hasMessageContaining("path is too long");
    }

    @Test
    void aNonEmptyPgdataWithoutClusterIsNotTouched() throws IOException {
        postgres = null;
        ManagedPostgres fresh = managed();
        Files.createDirectories(dir.pgdata());
        Files.writeString(dir.pgdata().resolve("someones-file"), "keep me");
        if (OsAccount.currentIsRoot()) {
            fresh.account().takeOwnership(dir.pgdata());
        }

        assertThatThrownBy(() -> fresh.start(Optional.empty())).hasMessageContaining("holds no PostgreSQL cluster");
        assertThat(dir.pgdata().resolve("someones-file")).hasContent("keep me");
    }
}
