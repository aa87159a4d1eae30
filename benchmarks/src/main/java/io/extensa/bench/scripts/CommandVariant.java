package io.extensa.bench.scripts;

import io.extensa.bench.system.CommandOutput;
import io.extensa.bench.system.Commands;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An external client (psql, a psycopg2 program) run once per call; the program measures itself
 * and prints the elapsed time, so its start-up and connection are not counted.
 */
public final class CommandVariant extends Variant {

    /** Reads the measured milliseconds from the program's output; throws when the output is wrong. */
    @FunctionalInterface
    public interface Reading {
        double millis(CommandOutput output) throws Exception;
    }

    private final List<String> command;
    private final Map<String, String> environment;
    private final Reading reading;
    private final Duration timeout;

    public CommandVariant(String label, Side side, String path, String how, List<String> command,
            Map<String, String> environment, Reading reading, Duration timeout) {
        super(label, side, path, how);
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.reading = reading;
        this.timeout = timeout;
    }

    @Override
    public void warmUp() throws Exception {
        runOnceMillis();
    }

    @Override
    public double runOnceMillis() throws Exception {
        return reading.millis(Commands.run(command, environment, timeout).checked());
    }
}
