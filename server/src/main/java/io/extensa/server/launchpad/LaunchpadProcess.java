package io.extensa.server.launchpad;

import io.extensa.server.ExtensaException;
import io.extensa.server.datadir.DataDirectory;
import io.extensa.server.datadir.PidFile;
import io.extensa.server.datadir.TextFiles;
import io.extensa.server.process.Processes;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The launchpad daemon as a child JVM of the server: same java, same class path, its own session
 * (so a Ctrl-C aimed at the server does not reach it before the server has stopped the gateway),
 * output appended to {@code DIR/log/launchpad.log}.
 *
 * <p>Its pid is recorded in {@code DIR/run/launchpad.pid} so that {@code extensa stop} can end a
 * launchpad that outlived a crashed server.
 */
public final class LaunchpadProcess implements AutoCloseable {

    /** The daemon's entry point (module launchpad). */
    public static final String MAIN_CLASS = "io.extensa.launchpad.LaunchpadMain";
    /** Logback configuration for the child, a class path resource of this module. */
    public static final String LOGBACK_RESOURCE = "io/extensa/server/logging/launchpad-logback.xml";
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final Duration LEFTOVER_GRACE = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(LaunchpadProcess.class);

    private final DataDirectory dir;
    private final Process process;
    private final OutputStream lifeline;
    private volatile boolean stopping;

    private LaunchpadProcess(DataDirectory dir, Process process) {
        this.dir = dir;
        this.process = process;
        this.lifeline = process.getOutputStream();
    }

    /**
     * Starts the daemon and waits until its socket accepts connections.
     *
     * @param settings  {@code launchpad.*} and {@code language.*} settings, written to DIR/run/launchpad.conf
     * @param mainClass {@link #MAIN_CLASS}, or a stand-in in tests of this class
     */
    public static LaunchpadProcess start(DataDirectory dir, Map<String, String> settings, String logLevel,
            String mainClass, Duration readyTimeout) {
        killLeftover(dir);
        deleteIfExists(dir.launchpadSocket());
        writeConfig(dir, settings);

        List<String> command = command(dir, logLevel, mainClass);
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.launchpadLog().toFile()))
                    .start();
        } catch (IOException e) {
            throw new ExtensaException("cannot start the launchpad: " + e.getMessage(), e);
        }
        PidFile.write(dir.launchpadPidFile(), process.pid());
        var launchpad = new LaunchpadProcess(dir, process);
        try {
            launchpad.awaitReady(readyTimeout);
        } catch (RuntimeException e) {
            launchpad.close();
            throw e;
        }
        log.info("launchpad running (pid {}) on {}", process.pid(), dir.launchpadSocket());
        return launchpad;
    }

    public long pid() {
        return process.pid();
    }

    public Path socket() {
        return dir.launchpadSocket();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** How the daemon ended, e.g. "was killed by signal 9" or "exited with code 1"; "is running" while it runs. */
    public String exitDescription() {
        if (process.isAlive()) {
            return "is running";
        }
        int code = process.exitValue();
        return code > 128 && code <= 128 + 64 ? "was killed by signal " + (code - 128) : "exited with code " + code;
    }

    /** Completes when the daemon exits, whether we stopped it or it died. */
    public CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /** True once {@link #close()} began: an exit after that is expected. */
    public boolean stopping() {
        return stopping;
    }

    /** SIGTERM, then SIGKILL after 15 s; also ends any process it left behind (satellites). */
    @Override
    public void close() {
        stopping = true;
        List<ProcessHandle> descendants = process.descendants().toList();
        try {
            lifeline.close();
        } catch (IOException ignored) {
            // the daemon may be gone already
        }
        boolean graceful = Processes.terminate(process.pid(), STOP_GRACE);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        awaitExit(descendants, LEFTOVER_GRACE);
        for (ProcessHandle leftover : descendants) {
            if (leftover.isAlive()) {
                log.warn("killing process {} left behind by the launchpad", leftover.pid());
                Processes.terminate(leftover.pid(), Duration.ofSeconds(2));
            }
        }
        if (!graceful) {
            log.warn("the launchpad did not stop within {} s and was killed", STOP_GRACE.toSeconds());
        }
        PidFile.delete(dir.launchpadPidFile());
        deleteIfExists(dir.launchpadSocket());
        log.info("launchpad stopped");
    }

    /** Spares end on their own once the launchpad is gone, but not at the same instant. */
    private static void awaitExit(List<ProcessHandle> processes, Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        while (processes.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Ends a launchpad recorded in DIR/run/launchpad.pid that outlived its server. Checks the
     * command line first, so a pid the kernel has since given to another program is left alone.
     */
    public static boolean killLeftover(DataDirectory dir) {
        var pid = PidFile.read(dir.launchpadPidFile());
        boolean killed = false;
        if (pid.isPresent() && isOurLaunchpad(dir, pid.getAsLong())) {
            log.warn("stopping launchpad (pid {}) left over from an earlier run", pid.getAsLong());
            Processes.terminate(pid.getAsLong(), STOP_GRACE);
            killed = true;
        }
        PidFile.delete(dir.launchpadPidFile());
        return killed;
    }

    /** Whether {@code pid} is a launchpad serving this data directory. */
    public static boolean isOurLaunchpad(DataDirectory dir, long pid) {
        return Processes.isAlive(pid) && Processes.commandLine(pid)
                .map(line -> line.contains("--socket " + dir.launchpadSocket())).orElse(false);
    }

    static List<String> command(DataDirectory dir, String logLevel, String mainClass) {
        var command = new ArrayList<String>();
        Path setsid = Path.of("/usr/bin/setsid");
        if (Files.isExecutable(setsid)) {
            command.add(setsid.toString());
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("-Dlogback.configurationFile=" + LOGBACK_RESOURCE);
        command.add("-Dextensa.log.level=" + logLevel);
        // The daemon holds little and mostly waits on sockets and children: a small collector suffices.
        command.add("-XX:+UseSerialGC");
        // and it runs no hot loops: the quick compiler alone, so optimising compiles do not take a
        // share of a 2-core machine from the jobs for minutes after start
        command.add("-XX:TieredStopAtLevel=1");
        command.add(mainClass);
        command.add("--socket");
        command.add(dir.launchpadSocket().toString());
        command.add("--jobs-dir");
        command.add(dir.jobsDir().toString());
        command.add("--runtime-dir");
        command.add(dir.runtimeDir().toString());
        command.add("--config");
        command.add(dir.launchpadConfigFile().toString());
        // the lifeline: our end of its stdin closes when this JVM dies, however it dies
        command.add("--exit-with-stdin");
        return command;
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new ExtensaException("the launchpad exited with code " + process.exitValue()
                        + " before it was ready; last lines of " + dir.launchpadLog() + ":\n" + TextFiles.tail(dir.launchpadLog(), 20));
            }
            if (Files.exists(dir.launchpadSocket()) && accepts(dir.launchpadSocket())) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new ExtensaException("the launchpad did not open " + dir.launchpadSocket() + " within "
                        + timeout.toSeconds() + " s; see " + dir.launchpadLog());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ExtensaException("interrupted while waiting for the launchpad");
            }
        }
    }

    private static boolean accepts(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void writeConfig(DataDirectory dir, Map<String, String> settings) {
        var properties = new Properties();
        properties.putAll(new TreeMap<>(settings));
        var text = new StringWriter();
        try {
            properties.store(text, "launchpad.* and language.* settings from extensa.conf, written by extensa start");
            Files.writeString(dir.launchpadConfigFile(), text.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ExtensaException("cannot write " + dir.launchpadConfigFile() + ": " + e.getMessage(), e);
        }
    }

    private static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new ExtensaException("cannot remove " + file + ": " + e.getMessage(), e);
        }
    }
}
