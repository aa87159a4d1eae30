package io.extensa.server.postgres;

import io.extensa.pgwire.BackendAddress;
import io.extensa.server.ExtensaException;
import io.extensa.server.datadir.DataDirectory;
import io.extensa.server.datadir.PidFile;
import io.extensa.server.datadir.TextFiles;
import io.extensa.server.process.CommandResult;
import io.extensa.server.process.CommandRunner;
import io.extensa.server.process.OsAccount;
import io.extensa.server.process.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL cluster Extensa runs in {@code DIR/pgdata} when no external one is configured:
 * initialized on first start, reachable only through its Unix socket in {@code DIR/run} (no TCP),
 * logging to {@code DIR/log/postgresql.log}, with superuser role and database {@code extensa}.
 *
 * <p>PostgreSQL refuses to run as root, so when Extensa runs as root every server-side program
 * (initdb, pg_ctl, and so postgres) runs as an unprivileged account that owns pgdata and may
 * create (and remove only its own) files in run.
 */
public final class ManagedPostgres {

    public static final String ROLE = "extensa";
    public static final String DATABASE = "extensa";
    static final String MANAGED_CONF = "extensa-managed.conf";
    /** Unix sockets are limited by sockaddr_un.sun_path (108 bytes with the terminating NUL). */
    static final int MAX_SOCKET_PATH = 107;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Logger log = LoggerFactory.getLogger(ManagedPostgres.class);

    private final DataDirectory dir;
    private final PostgresBinaries binaries;
    private final OsAccount account;

    private ManagedPostgres(DataDirectory dir, PostgresBinaries binaries, OsAccount account) {
        this.dir = dir;
        this.binaries = binaries;
        this.account = account;
    }

    /**
     * Chooses who runs PostgreSQL (ourselves, or as root the system account {@code accountName},
     * created when missing) and checks that it can work in the data directory.
     */
    public static ManagedPostgres forStart(DataDirectory dir, PostgresBinaries binaries, String accountName) {
        checkSocketPath(dir);
        OsAccount account = OsAccount.currentIsRoot() ? OsAccount.ensureSystemAccount(accountName) : OsAccount.current();
        if (Files.exists(dir.pgdata())) {
            int owner = OsAccount.ownerUid(dir.pgdata());
            if (owner != account.uid()) {
                String ownerName = OsAccount.lookup(owner).map(OsAccount::name).orElse("uid " + owner);
                throw new ExtensaException(dir.pgdata() + " belongs to " + ownerName + ", but PostgreSQL would run as "
                        + account.name() + "; start Extensa as the user who created this data directory"
                        + (OsAccount.currentIsRoot() ? " (or set postgres.account = " + ownerName + ")" : ""));
            }
        }
        if (!account.isCurrent()) {
            account.firstUntraversable(dir.root()).ifPresent(blocked -> {
                throw new ExtensaException("PostgreSQL runs as the unprivileged account '" + account.name()
                        + "', which cannot reach the data directory " + dir.root() + ": it may not enter " + blocked
                        + " (mode " + mode(blocked) + "). Choose a data directory every user can reach, e.g."
                        + " --data-dir /var/lib/extensa, or make " + blocked + " traversable (chmod o+x " + blocked + ")");
            });
        }
        return new ManagedPostgres(dir, binaries, account);
    }

    /** For stopping or inspecting an existing cluster: runs the tools as the owner of pgdata. */
    public static Optional<ManagedPostgres> existing(DataDirectory dir, Optional<Path> configuredBinDir) {
        if (!Files.isRegularFile(dir.pgdata().resolve("PG_VERSION"))) {
            return Optional.empty();
        }
        int owner = OsAccount.ownerUid(dir.pgdata());
        OsAccount account = OsAccount.lookup(owner)
                .orElseThrow(() -> new ExtensaException("the owner (uid " + owner + ") of " + dir.pgdata() + " has no account"));
        return Optional.of(new ManagedPostgres(dir, PostgresBinaries.forCluster(configuredBinDir, dir.pgdata()), account));
    }

    /**
     * The managed cluster of {@code dir} if its postmaster runs, without resolving binaries unless
     * needed (so a status or stop on a directory without PostgreSQL never asks for them).
     */
    public static Optional<ManagedPostgres> existingIfRunning(DataDirectory dir, Optional<Path> configuredBinDir) {
        OptionalLong pid = PidFile.read(dir.pgdata().resolve("postmaster.pid"));
        if (pid.isEmpty() || !Processes.isAlive(pid.getAsLong())) {
            return Optional.empty();
        }
        return existing(dir, configuredBinDir).filter(ManagedPostgres::isRunning);
    }

    public OsAccount account() {
        return account;
    }

    public BackendAddress address() {
        return BackendAddress.unixSocketInDirectory(dir.runDir(), DataDirectory.POSTGRES_SOCKET_PORT);
    }

    public boolean initialized() {
        return Files.isRegularFile(dir.pgdata().resolve("PG_VERSION"));
    }

    /** The postmaster's pid while it runs. */
    public OptionalLong pid() {
        OptionalLong pid = PidFile.read(dir.pgdata().resolve("postmaster.pid"));
        if (pid.isPresent() && Processes.isAlive(pid.getAsLong())
                && Processes.commandLine(pid.getAsLong()).map(c -> c.contains("postgres")).orElse(false)) {
            return pid;
        }
        return OptionalLong.empty();
    }

    public boolean isRunning() {
        return pid().isPresent();
    }

    /**
     * Initializes the cluster if needed, starts it and makes sure role and database
     * {@code extensa} are ready. Returns the admin password in effect.
     *
     * @param requestedPassword {@code EXTENSA_ADMIN_PASSWORD}, if set
     */
    public String start(Optional<String> requestedPassword) {
        prepareDirectories();
        if (!initialized()) {
            requireEmptyPgdata();
        }
        String password = choosePassword(requestedPassword);
        if (!initialized()) {
            initialize(password);
        }
        writeManagedSettings();
        if (isRunning()) {
            log.warn("PostgreSQL (pid {}) was still running from an earlier run; using it", pid().getAsLong());
        } else {
            startServer();
        }
        bootstrap(password, requestedPassword.isPresent());
        log.info("PostgreSQL {} running (pid {}) on {} as {}", binaries.major(), pid().orElse(-1), address(), account.name());
        return password;
    }

    /** Stops the server (fast shutdown: open sessions are rolled back), escalating to immediate. */
    public void stop() {
        if (!isRunning()) {
            return;
        }
        long pid = pid().getAsLong();
        CommandResult fast = pgCtl(List.of("stop", "-D", dir.pgdata().toString(), "-m", "fast", "-w",
                "-t", Long.toString(STOP_TIMEOUT.toSeconds())), STOP_TIMEOUT.plusSeconds(10));
        if (!fast.succeeded() && isRunning()) {
            log.warn("fast shutdown of PostgreSQL failed, trying immediate: {}", fast.describe());
            pgCtl(List.of("stop", "-D", dir.pgdata().toString(), "-m", "immediate", "-w", "-t", "30"),
                    Duration.ofSeconds(40));
        }
        if (!Processes.awaitExit(pid, Duration.ofSeconds(5))) {
            throw new ExtensaException("PostgreSQL (pid " + pid + ") did not stop; see " + dir.postgresLog());
        }
        log.info("PostgreSQL stopped");
    }

    private void prepareDirectories() {
        try {
            if (!Files.exists(dir.pgdata())) {
                Files.createDirectory(dir.pgdata(), PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            Files.createDirectories(dir.runDir());
            if (!Files.exists(dir.postgresLog())) {
                Files.createFile(dir.postgresLog(), PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-r-----")));
            }
            if (!account.isCurrent()) {
                account.takeOwnership(dir.pgdata());
                // PostgreSQL puts its socket in run/, next to the root launchpad's socket and pid file.
                account.shareDirectory(dir.runDir());
                account.takeOwnership(dir.postgresLog());
            }
        } catch (IOException e) {
            throw new ExtensaException("cannot prepare " + dir.pgdata() + ": " + e.getMessage(), e);
        }
    }

    private String choosePassword(Optional<String> requested) {
        if (requested.isPresent()) {
            return requested.get();
        }
        Optional<String> stored = AdminPassword.read(dir.adminPasswordFile());
        if (stored.isPresent()) {
            return stored.get();
        }
        if (initialized()) {
            throw new ExtensaException("no admin password: " + dir.adminPasswordFile() + " does not exist, so this"
                    + " cluster was created with EXTENSA_ADMIN_PASSWORD; set it to the password of role extensa");
        }
        String generated = AdminPassword.generate();
        AdminPassword.write(dir.adminPasswordFile(), generated);
        log.info("generated the password of role {} into {}", ROLE, dir.adminPasswordFile());
        return generated;
    }

    private void requireEmptyPgdata() {
        try (var entries = Files.list(dir.pgdata())) {
            if (entries.findAny().isPresent()) {
                throw new ExtensaException(dir.pgdata() + " is not empty but holds no PostgreSQL cluster (no PG_VERSION);"
                        + " move it away or choose another --data-dir");
            }
        } catch (IOException e) {
            throw new ExtensaException("cannot read " + dir.pgdata() + ": " + e.getMessage(), e);
        }
    }

    private void initialize(String password) {
        log.info("initializing a PostgreSQL {} cluster in {}", binaries.major(), dir.pgdata());
        // initdb reads the password from a file; it lives only for this call, readable by the account alone.
        Path passwordFile = dir.runDir().resolve(".initdb-password");
        try {
            Files.deleteIfExists(passwordFile);
            Files.createFile(passwordFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
            if (!account.isCurrent()) {
                account.takeOwnership(passwordFile);
            }
            CommandResult result = runner(Duration.ofMinutes(5)).run(account.wrap(List.of(binaries.initdb().toString(),
                    "-D", dir.pgdata().toString(), "--username=" + ROLE, "--pwfile=" + passwordFile,
                    "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions")));
            if (!result.succeeded()) {
                throw new ExtensaException("initdb failed to create the cluster in " + dir.pgdata() + ": " + result.describe());
            }
        } catch (IOException e) {
            throw new ExtensaException("cannot initialize " + dir.pgdata() + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(passwordFile);
            } catch (IOException e) {
                log.warn("could not remove {}: {}", passwordFile, e.getMessage());
            }
        }
        appendToPostgresqlConf();
    }

    /**
     * postgresql.conf keeps the person's own settings; the socket and no-TCP settings live in a
     * file Extensa rewrites at every start (so a moved data directory keeps working), included last.
     */
    private void appendToPostgresqlConf() {
        String text = "\n# Added by Extensa when it created this cluster.\n"
                + "log_line_prefix = '%m [%p] %q%u@%d '\n"
                + "# Socket location and no TCP: rewritten by `extensa start`; settings there win.\n"
                + "include '" + MANAGED_CONF + "'\n";
        writeAsAccount(dir.pgdata().resolve("postgresql.conf"), text, true);
    }

    private void writeManagedSettings() {
        String text = "# Written by `extensa start` at every start; do not edit (changes are overwritten).\n"
                + "listen_addresses = ''\n"
                + "unix_socket_directories = " + configString(dir.runDir().toString()) + "\n"
                + "port = " + DataDirectory.POSTGRES_SOCKET_PORT + "\n";
        writeAsAccount(dir.pgdata().resolve(MANAGED_CONF), text, false);
    }

    private void writeAsAccount(Path file, String text, boolean append) {
        try {
            if (append) {
                Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            } else {
                Files.writeString(file, text, StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
            if (!account.isCurrent()) {
                account.takeOwnership(file);
            }
        } catch (IOException e) {
            throw new ExtensaException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private void startServer() {
        CommandResult result = pgCtl(List.of("start", "-D", dir.pgdata().toString(), "-l", dir.postgresLog().toString(),
                "-w", "-t", Long.toString(START_TIMEOUT.toSeconds())), START_TIMEOUT.plusSeconds(10));
        if (!result.succeeded() || !isRunning()) {
            throw new ExtensaException("PostgreSQL did not start: " + result.describe() + "\nlast lines of "
                    + dir.postgresLog() + ":\n" + TextFiles.tail(dir.postgresLog(), 15));
        }
    }

    /** Makes sure we can log in as role extensa with {@code password} and that database extensa exists. */
    private void bootstrap(String password, boolean passwordFromEnvironment) {
        CommandResult login = psql(password, "postgres", "SELECT 1");
        if (!login.succeeded()) {
            if (!passwordFromEnvironment || !isAuthenticationFailure(login)) {
                throw new ExtensaException("cannot log in to the managed PostgreSQL as role " + ROLE + ": " + login.describe());
            }
            adoptNewPassword(password, login);
        }
        CommandResult exists = psql(password, "postgres", "SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
        if (!exists.succeeded()) {
            throw new ExtensaException("cannot query the managed PostgreSQL: " + exists.describe());
        }
        if (!exists.output().strip().equals("1")) {
            CommandResult created = psql(password, "postgres", "CREATE DATABASE " + DATABASE + " OWNER " + ROLE);
            if (!created.succeeded()) {
                throw new ExtensaException("cannot create database " + DATABASE + ": " + created.describe());
            }
            log.info("created database {}", DATABASE);
        }
    }

    /**
     * EXTENSA_ADMIN_PASSWORD changed: log in with the stored (generated) password, set the new
     * one, and keep the file in step so it always holds the role's current password.
     */
    private void adoptNewPassword(String newPassword, CommandResult failedLogin) {
        Optional<String> stored = AdminPassword.read(dir.adminPasswordFile());
        if (stored.isEmpty() || stored.get().equals(newPassword) || !psql(stored.get(), "postgres", "SELECT 1").succeeded()) {
            throw new ExtensaException("EXTENSA_ADMIN_PASSWORD is not the password of role " + ROLE
                    + (stored.isPresent() ? " and neither is the one in " + dir.adminPasswordFile() : "")
                    + "; set EXTENSA_ADMIN_PASSWORD to the current password (" + failedLogin.output().strip() + ")");
        }
        CommandResult altered = psql(stored.get(), "postgres", "ALTER ROLE " + ROLE + " PASSWORD "
                + AdminPassword.sqlLiteral(newPassword));
        if (!altered.succeeded()) {
            throw new ExtensaException("cannot change the password of role " + ROLE + ": " + altered.describe());
        }
        AdminPassword.write(dir.adminPasswordFile(), newPassword);
        log.info("changed the password of role {} to EXTENSA_ADMIN_PASSWORD (and updated {})", ROLE, dir.adminPasswordFile());
    }

    private static boolean isAuthenticationFailure(CommandResult result) {
        return result.output().contains("password authentication failed");
    }

    /**
     * Runs one statement with psql over the Unix socket. SQL goes on standard input, never on the
     * command line, so a password in it does not show in the process list; the password for the
     * login travels in PGPASSWORD.
     */
    CommandResult psql(String password, String database, String sql) {
        var command = new ArrayList<>(List.of(binaries.psql().toString(), "-X", "-w", "-q", "-t", "-A",
                "-v", "ON_ERROR_STOP=1", "-h", dir.runDir().toString(), "-p", Integer.toString(DataDirectory.POSTGRES_SOCKET_PORT),
                "-U", ROLE, "-d", database, "-f", "-"));
        return runner(Duration.ofSeconds(60)).withEnvironment(Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "10"))
                .run(command, sql + ";\n");
    }

    private CommandResult pgCtl(List<String> arguments, Duration timeout) {
        var command = new ArrayList<String>();
        command.add(binaries.pgCtl().toString());
        command.addAll(arguments);
        return runner(timeout).run(account.wrap(command));
    }

    /** Inherited PG* variables (PGHOST, PGDATA, ...) could point our tools elsewhere: drop them. */
    private CommandRunner runner(Duration timeout) {
        return CommandRunner.inherited().withoutEnvironmentPrefix("PG").inDirectory(dir.root())
                .withEnvironment(Map.of("HOME", dir.runDir().toString())).withTimeout(timeout);
    }

    private static void checkSocketPath(DataDirectory dir) {
        int length = dir.postgresSocket().toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_SOCKET_PATH) {
            throw new ExtensaException("the data directory path is too long: PostgreSQL's socket " + dir.postgresSocket()
                    + " would have " + length + " bytes, Unix sockets allow " + MAX_SOCKET_PATH + "; choose a shorter --data-dir");
        }
    }

    /** A postgresql.conf string value: single quotes doubled, backslashes escaped. */
    static String configString(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    private static String mode(Path path) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        } catch (IOException e) {
            return "unknown";
        }
    }
}
