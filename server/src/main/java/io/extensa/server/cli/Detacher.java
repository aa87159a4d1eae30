package io.extensa.server.cli;

import io.extensa.server.ExtensaException;
import io.extensa.server.ExtensaServer;
import io.extensa.server.ServerConfig;
import io.extensa.server.datadir.DataDirectory;
import io.extensa.server.datadir.PidFile;
import io.extensa.server.datadir.ServerState;
import io.extensa.server.datadir.TextFiles;
import io.extensa.server.process.Processes;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code extensa start --detach}: runs the same start in a background JVM of its own session,
 * with output to DIR/log/server.out, and returns once its gateway accepts TCP connections (or
 * reports why it died).
 */
final class Detacher {

    /** First start includes initdb; on two busy cores that can take a while. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

    private final ServerConfig config;
    private final DataDirectory dir;
    private final PrintWriter out;
    private final PrintWriter err;

    Detacher(ServerConfig config, PrintWriter out, PrintWriter err) {
        this.config = config;
        this.dir = new DataDirectory(config.dataDir());
        this.out = out;
        this.err = err;
    }

    int detach(List<String> startArguments) throws InterruptedException {
        ExtensaServer.preflight(config);
        clearStaleFiles();
        Process child = launch(startArguments);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            if (!child.isAlive()) {
                err.println("extensa: the server exited with code " + child.exitValue() + " while starting; last lines of "
                        + dir.detachedOutput() + ":");
                err.println(TextFiles.tail(dir.detachedOutput(), 25));
                err.flush();
                return ExitCodes.FAILURE;
            }
            Optional<ServerState> state = readyState(child.pid());
            if (state.isPresent()) {
                String host = state.get().get(ServerState.GATEWAY_HOST).orElse(config.listenHost());
                int port = (int) state.get().getLong(ServerState.GATEWAY_PORT).orElse(config.gatewayPort());
                if (accepts(host, port)) {
                    out.println(StartCommand.ConnectionInfo.describe(config, dir, child.pid(), host, port,
                            state.get().get(ServerState.POSTGRES_ADDRESS).orElse("?"), false));
                    out.flush();
                    return ExitCodes.OK;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                err.println("extensa: the server (pid " + child.pid() + ") did not accept connections within "
                        + READY_TIMEOUT.toSeconds() + " s; stopping it. Last lines of " + dir.detachedOutput() + ":");
                err.println(TextFiles.tail(dir.detachedOutput(), 25));
                err.flush();
                Processes.terminate(child.pid(), Duration.ofSeconds(60));
                return ExitCodes.FAILURE;
            }
            Thread.sleep(100);
        }
    }

    /** A pid file without a lock holder is left by a server that died; say so and remove it. */
    private void clearStaleFiles() {
        OptionalLong stale = PidFile.read(dir.pidFile());
        if (stale.isPresent()) {
            out.println("Removed the stale pid file " + dir.pidFile() + ": the server with pid " + stale.getAsLong()
                    + " is gone (it was not stopped cleanly).");
            out.flush();
            PidFile.delete(dir.pidFile());
        }
        ServerState.delete(dir);
    }

    private Process launch(List<String> startArguments) {
        var command = new ArrayList<String>();
        Path setsid = Path.of("/usr/bin/setsid");
        if (Files.isExecutable(setsid)) {
            command.add(setsid.toString());
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The same JVM options (-Xmx, -Dextensa.home, ...) and class path as this one.
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ExtensaCli.class.getName());
        command.addAll(startArguments);
        try {
            Files.writeString(dir.detachedOutput(), "=== extensa start --detach at " + Instant.now() + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.detachedOutput().toFile()))
                    .start();
        } catch (IOException e) {
            throw new ExtensaException("cannot start the background server: " + e.getMessage(), e);
        }
    }

    private Optional<ServerState> readyState(long childPid) {
        try {
            return ServerState.read(dir).filter(s -> s.getLong(ServerState.PID).orElse(-1) == childPid);
        } catch (ExtensaException racingWithWriter) {
            return Optional.empty();
        }
    }

    private static boolean accepts(String host, int port) {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
