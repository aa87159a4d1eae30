package io.extensa.bench.relay;

import io.extensa.bench.BenchStack;
import io.extensa.bench.system.CommandOutput;
import io.extensa.bench.system.Commands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Builds and runs pgbench command lines against a {@link RelayTarget}. */
final class Pgbench {

    private final BenchStack stack;

    Pgbench(BenchStack stack) {
        this.stack = stack;
    }

    /**
     * The run's command line. {@code -n}: the suite does pgbench's own pre-run vacuum itself
     * (directly, before its CPU readings), so the measured window holds only the run.
     */
    static List<String> command(RelayTarget target, Workload workload, int clients, int seconds) {
        String port = target.port() > 0 ? Integer.toString(target.port()) : target.portLabel();
        List<String> command = new ArrayList<>(List.of("pgbench", "-h", target.host(), "-p", port, "-U",
                BenchStack.ROLE, "-n"));
        command.addAll(workload.flags);
        command.addAll(List.of("-c", Integer.toString(clients), "-j", Integer.toString(threads(clients)),
                "-T", Integer.toString(seconds), BenchStack.DATABASE));
        return command;
    }

    static int threads(int clients) {
        return Math.min(clients, 2);
    }

    PgbenchResult run(RelayTarget target, Workload workload, int clients, int seconds) {
        List<String> command = command(target, workload, clients, seconds);
        CommandOutput output = Commands.run(command, stack.libpqEnvironment(), Duration.ofSeconds(seconds + 120))
                .checked();
        PgbenchResult result = PgbenchResult.parse(output.stdout());
        if (result.failed() > 0) {
            throw new IllegalStateException(target.name() + ": " + result.failed() + " failed transactions\n"
                    + output.stdout() + output.stderr());
        }
        return result;
    }

    /** pgbench -i -s SCALE over the Unix socket: the data every relay run shares. */
    void initialize(int scale) {
        Commands.run(List.of("pgbench", "-i", "-q", "-s", Integer.toString(scale), "-h", stack.socketDir().toString(),
                "-p", "5432", "-U", BenchStack.ROLE, BenchStack.DATABASE), stack.libpqEnvironment(),
                Duration.ofMinutes(10)).checked();
    }

    static String version() {
        CommandOutput output = Commands.run(List.of("pgbench", "--version"), java.util.Map.of(), Duration.ofSeconds(10));
        return output.stdout().strip();
    }
}
