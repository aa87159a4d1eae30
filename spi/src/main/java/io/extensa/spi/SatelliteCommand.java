package io.extensa.spi;

import java.util.List;
import java.util.Map;

/**
 * What the launchpad executes: an argument vector and extra environment. The launchpad adds
 * the job's variables, sets the working directory and applies the sandbox around it.
 */
public record SatelliteCommand(List<String> argv, Map<String, String> environment) {

    public SatelliteCommand {
        argv = List.copyOf(argv);
        environment = Map.copyOf(environment);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty argv");
        }
    }
}
