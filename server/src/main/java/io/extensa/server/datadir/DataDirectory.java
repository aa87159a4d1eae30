package io.extensa.server.datadir;

import io.extensa.server.ExtensaException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The layout of an Extensa data directory (see docs/operations.md). */
public final class DataDirectory {

    /** PostgreSQL names its socket file after a port even with TCP off; 5432 gives {@code .s.PGSQL.5432}. */
    public static final int POSTGRES_SOCKET_PORT = 5432;

    private final Path root;

    public DataDirectory(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    public Path configFile() {
        return root.resolve("extensa.conf");
    }

    public Path adminPasswordFile() {
        return root.resolve("admin-password");
    }

    public Path pidFile() {
        return root.resolve("extensa.pid");
    }

    public Path lockFile() {
        return root.resolve("extensa.lock");
    }

    public Path pgdata() {
        return root.resolve("pgdata");
    }

    /** PostgreSQL's socket, the launchpad's socket, the state files of the running server. */
    public Path runDir() {
        return root.resolve("run");
    }

    public Path postgresSocket() {
        return runDir().resolve(".s.PGSQL." + POSTGRES_SOCKET_PORT);
    }

    public Path launchpadSocket() {
        return runDir().resolve("launchpad.sock");
    }

    public Path launchpadPidFile() {
        return runDir().resolve("launchpad.pid");
    }

    public Path launchpadConfigFile() {
        return runDir().resolve("launchpad.conf");
    }

    /** What the running server tells {@code extensa status}. */
    public Path stateFile() {
        return runDir().resolve("server.state");
    }

    public Path jobsDir() {
        return root.resolve("jobs");
    }

    /** Installed external libraries: a cache of the catalog's, rebuilt from it when missing. */
    public Path librariesDir() {
        return root.resolve("libraries");
    }

    public Path runtimeDir() {
        return root.resolve("runtime");
    }

    public Path logDir() {
        return root.resolve("log");
    }

    public Path gatewayLog() {
        return logDir().resolve("gateway.log");
    }

    public Path launchpadLog() {
        return logDir().resolve("launchpad.log");
    }

    public Path postgresLog() {
        return logDir().resolve("postgresql.log");
    }

    /** Output of a server started with {@code --detach} (its console). */
    public Path detachedOutput() {
        return logDir().resolve("server.out");
    }

    /**
     * Creates the directory and the subdirectories every mode uses, and checks that we can write
     * there. The PostgreSQL directories (pgdata, run) get their owner in ManagedPostgres.
     */
    public void prepare() {
        createDirectory(root);
        if (!Files.isWritable(root)) {
            throw notWritable(root, null);
        }
        for (Path sub : new Path[] {logDir(), runDir(), jobsDir(), runtimeDir()}) {
            createDirectory(sub);
        }
    }

    private static void createDirectory(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (AccessDeniedException e) {
            throw notWritable(directory, e);
        } catch (FileSystemException e) {
            throw new ExtensaException("cannot create the data directory " + directory + ": "
                    + (e.getReason() != null ? e.getReason() : e.getMessage()), e);
        } catch (IOException e) {
            throw new ExtensaException("cannot create the data directory " + directory + ": " + e.getMessage(), e);
        }
    }

    private static ExtensaException notWritable(Path directory, Exception cause) {
        return new ExtensaException("the data directory " + directory + " is not writable by user "
                + System.getProperty("user.name") + "; choose another with --data-dir or fix its permissions", cause);
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
