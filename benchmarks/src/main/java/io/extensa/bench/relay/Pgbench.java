package io.extensa.bench.relay;

import io.extensa.bench.BenchStack;
import io.extensa.bench.system.CommandOutput;
import io.extensa.bench.system.Commands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds and runs pgbench command lines against a {@link RelayTarget}. */
final class Pgbench {

    private static final Pattern PROGRESS = Pattern.compile("^progress: ([0-9.]+) s, ([0-9.]+) tps", Pattern.MULTILINE);

    /**
     * Readings taken inside a run, at two moments while every connection is open: things that
     * vanish with a connection (a thread's context-switch count) can be measured only then.
     */
    interface Probe {
        long read();
    }

    /** What a probe read between the two moments, and the transactions pgbench did meanwhile. */
    record Window(double seconds, double transactions, long[] deltas) {
    }

    private final BenchStack stack;

    Pgbench(BenchStack stack) {
        this.stack = stack;
    }

    /**
     * The run's command line. {@code -n}: the suite does pgbench's own pre-run vacuum itself
     * (directly, before its CPU readings), so the measured window holds only the run. {@code -P 1}
     * prints transactions per second, which gives the transactions inside a probe window.
     */
    static List<String> command(RelayTarget target, Workload workload, int clients, int seconds) {
        String port = target.port() > 0 ? Integer.toString(target.port()) : target.portLabel();
        List<String> command = new ArrayList<>(List.of("pgbench", "-h", target.host(), "-p", port, "-U",
                BenchStack.ROLE, "-n", "-P", "1"));
        command.addAll(workload.flags);
        command.addAll(List.of("-c", Integer.toString(clients), "-j", Integer.toString(threads(clients)),
                "-T", Integer.toString(seconds), BenchStack.DATABASE));
        return command;
    }

    static int threads(int clients) {
        return Math.min(clients, 2);
    }

    /** A run without probes. */
    PgbenchResult run(RelayTarget target, Workload workload, int clients, int seconds) {
        return run(target, workload, clients, seconds, List.of()).result();
    }

    /** A run's result and what {@code probes} read inside it (from its 2nd second to 2 s before its end). */
    record Probed(PgbenchResult result, Window window) {
    }

    Probed run(RelayTarget target, Workload workload, int clients, int seconds, List<Probe> probes) {
        List<String> command = command(target, workload, clients, seconds);
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("xbench-pgbench", ".out");
            err = Files.createTempFile("xbench-pgbench", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(stack.libpqEnvironment());
            long started = System.nanoTime();
            Process process = builder.start();
            int windowStart = seconds >= 6 ? 2 : 1;
            int windowEnd = seconds - windowStart;
            long[] first = new long[probes.size()];
            long[] last = new long[probes.size()];
            if (!probes.isEmpty() && windowEnd > windowStart) {
                sleepUntil(started, windowStart);
                for (int i = 0; i < probes.size(); i++) {
                    first[i] = probes.get(i).read();
                }
                sleepUntil(started, windowEnd);
                for (int i = 0; i < probes.size(); i++) {
                    last[i] = probes.get(i).read();
                }
            }
            if (!process.waitFor(seconds + 120L, TimeUnit.SECONDS)) {
                Commands.kill(process);
                throw new IllegalStateException("pgbench did not finish: " + String.join(" ", command));
            }
            var output = new CommandOutput(command, process.exitValue(), Files.readString(out), Files.readString(err),
                    Duration.ofNanos(System.nanoTime() - started)).checked();
            PgbenchResult result = PgbenchResult.parse(output.stdout());
            if (result.failed() > 0) {
                throw new IllegalStateException(target.name() + ": " + result.failed() + " failed transactions\n"
                        + output.stdout() + output.stderr());
            }
            long[] deltas = new long[probes.size()];
            for (int i = 0; i < deltas.length; i++) {
                deltas[i] = last[i] - first[i];
            }
            return new Probed(result, new Window(windowEnd - windowStart,
                    transactionsBetween(output.stderr(), windowStart, windowEnd), deltas));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    /**
     * Transactions pgbench reported for the seconds after {@code from} up to {@code to}: each
     * progress line gives the rate over the second that ends at its time stamp.
     */
    static double transactionsBetween(String progress, int from, int to) {
        double transactions = 0;
        Matcher line = PROGRESS.matcher(progress);
        while (line.find()) {
            double at = Double.parseDouble(line.group(1));
            if (at > from + 0.5 && at < to + 0.5) {
                transactions += Double.parseDouble(line.group(2));
            }
        }
        return transactions;
    }

    private static void sleepUntil(long startedNanos, int second) throws InterruptedException {
        long remaining = startedNanos + second * 1_000_000_000L - System.nanoTime();
        if (remaining > 0) {
            TimeUnit.NANOSECONDS.sleep(remaining);
        }
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file left in /tmp is harmless
            }
        }
    }

    /** pgbench -i -s SCALE over the Unix socket: the data every relay run shares. */
    void initialize(int scale) {
        Commands.run(List.of("pgbench", "-i", "-q", "-s", Integer.toString(scale), "-h", stack.socketDir().toString(),
                "-p", "5432", "-U", BenchStack.ROLE, BenchStack.DATABASE), stack.libpqEnvironment(),
                Duration.ofMinutes(10)).checked();
    }

    static String version() {
        return Commands.run(List.of("pgbench", "--version"), Map.of(), Duration.ofSeconds(10)).stdout().strip();
    }
}
