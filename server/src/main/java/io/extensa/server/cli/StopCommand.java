package io.extensa.server.cli;

import io.extensa.server.ExtensaException;
import io.extensa.server.datadir.DataDirectory;
import io.extensa.server.datadir.PidFile;
import io.extensa.server.datadir.ServerLock;
import io.extensa.server.datadir.ServerState;
import io.extensa.server.launchpad.LaunchpadProcess;
import io.extensa.server.logging.LogSetup;
import io.extensa.server.postgres.ManagedPostgres;
import io.extensa.server.process.Processes;
import java.io.PrintWriter;
import io.extensa.server.config.ConfigResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "stop", mixinStandardHelpOptions = true,
        description = {"Stops Extensa on the data directory and whatever a crashed server left running.",
                "Stops gateway, launchpad and managed PostgreSQL; exits 0 also when nothing was running."})
final class StopCommand implements Callable<Integer> {

    @Mixin
    DataDirOption common;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to wait for an orderly stop before killing the server (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        LogSetup.quiet();
        PrintWriter out = spec.commandLine().getOut();
        DataDirectory dir = common.resolve();
        if (!Files.isDirectory(dir.root())) {
            out.println("Extensa is not running on " + dir + " (no such directory).");
            return ExitCodes.OK;
        }
        if (ServerLock.isHeld(dir)) {
            stopServer(dir, out);
        } else {
            out.println("Extensa is not running on " + dir + ".");
        }
        cleanUpLeftovers(dir, out);
        return ExitCodes.OK;
    }

    private void stopServer(DataDirectory dir, PrintWriter out) {
        OptionalLong pid = PidFile.read(dir.pidFile());
        if (pid.isEmpty() || !Processes.isAlive(pid.getAsLong())) {
            pid = ServerLock.holderPid(dir);
        }
        if (pid.isEmpty()) {
            throw new ExtensaException("a process holds " + dir.lockFile() + " but neither " + dir.pidFile()
                    + " nor /proc/locks tell which");
        }
        long serverPid = pid.getAsLong();
        out.println("Stopping Extensa (pid " + serverPid + ") on " + dir + " ...");
        out.flush();
        boolean orderly = Processes.terminate(serverPid, Duration.ofSeconds(timeoutSeconds));
        if (!orderly) {
            out.println("The server did not stop within " + timeoutSeconds + " s and was killed; cleaning up after it.");
        }
        awaitLockRelease(dir);
    }

    /** After a crash (or a kill) PostgreSQL and the launchpad may still run: stop them too. */
    private static void cleanUpLeftovers(DataDirectory dir, PrintWriter out) {
        OptionalLong launchpad = PidFile.read(dir.launchpadPidFile());
        if (LaunchpadProcess.killLeftover(dir)) {
            out.println("Stopped the launchpad (pid " + launchpad.orElse(-1) + ") that was left running.");
        }
        Optional<ManagedPostgres> postgres = ManagedPostgres.existingIfRunning(dir, configuredBinDir(dir));
        if (postgres.isPresent()) {
            long pid = postgres.get().pid().orElse(-1);
            postgres.get().stop();
            out.println("Stopped PostgreSQL (pid " + pid + ") that was left running.");
        }
        if (!ServerLock.isHeld(dir)) {
            PidFile.delete(dir.pidFile());
            ServerState.delete(dir);
        }
        out.println("Extensa is stopped.");
        out.flush();
    }

    /** postgres.bin-dir from DIR/extensa.conf, if it says so; a broken config file must not block a stop. */
    static Optional<Path> configuredBinDir(DataDirectory dir) {
        try {
            return ConfigResolver.resolve(new ConfigResolver.Flags(Optional.of(dir.root()), OptionalInt.empty(),
                    Optional.empty(), Optional.empty()), Map.of(), false, dir.root()).postgresBinDir();
        } catch (ExtensaException e) {
            return Optional.empty();
        }
    }

    private static void awaitLockRelease(DataDirectory dir) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ServerLock.isHeld(dir) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
