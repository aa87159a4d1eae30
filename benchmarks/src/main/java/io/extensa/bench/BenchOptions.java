package io.extensa.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * The command line: {@code bin/bench [SUITE...] [--quick] [--out FILE] [--keep] [--list]}.
 * No suite named means all of them, in registration order.
 */
public record BenchOptions(List<String> suites, boolean quick, Optional<Path> out, boolean keep, boolean list,
        boolean help) {

    public static final String USAGE = """
            usage: bin/bench [SUITE...] [--quick] [--out FILE] [--keep] [--list]

              SUITE       one or more of: %s (default: all)
              --quick     one short repetition per measurement: checks the harness, numbers not for publishing
              --out FILE  where to write the Markdown report (default benchmarks/target/results-<suites>.md)
              --keep      keep the work directory (data directory, logs, PgBouncer config, JFR file) afterwards
              --list      list the suites and exit
            """;

    /** Parses arguments; throws IllegalArgumentException with a message for the user on bad input. */
    public static BenchOptions parse(List<String> args, List<String> knownSuites) {
        var suites = new LinkedHashSet<String>();
        boolean quick = false;
        boolean keep = false;
        boolean list = false;
        boolean help = false;
        Optional<Path> out = Optional.empty();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--quick" -> quick = true;
                case "--keep" -> keep = true;
                case "--list" -> list = true;
                case "-h", "--help" -> help = true;
                case "--out" -> {
                    if (i + 1 >= args.size() || args.get(i + 1).isBlank()) {
                        throw new IllegalArgumentException("--out needs a file name");
                    }
                    out = Optional.of(Path.of(args.get(++i)));
                }
                default -> {
                    if (arg.startsWith("--out=")) {
                        out = Optional.of(Path.of(arg.substring("--out=".length())));
                    } else if (arg.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + arg);
                    } else if (!knownSuites.contains(arg)) {
                        throw new IllegalArgumentException("unknown suite '" + arg + "'; suites: "
                                + String.join(", ", knownSuites));
                    } else {
                        suites.add(arg);
                    }
                }
            }
        }
        List<String> chosen = suites.isEmpty() ? List.copyOf(knownSuites) : new ArrayList<>(suites);
        return new BenchOptions(List.copyOf(chosen), quick, out, keep, list, help);
    }

    /** benchmarks/target/results-relay.md, results-means-insert.md, ... under the repository root. */
    public Path outputFile(Path repositoryRoot, List<String> allSuites) {
        String name = suites.equals(allSuites) ? "all" : String.join("-", suites);
        return out.orElse(repositoryRoot.resolve("benchmarks/target/results-" + name + (quick ? "-quick" : "") + ".md"));
    }

    /** The bin/bench command line that reproduces this run. */
    public String commandLine(List<String> allSuites) {
        StringBuilder command = new StringBuilder("bin/bench");
        if (!suites.equals(allSuites)) {
            command.append(' ').append(String.join(" ", suites));
        }
        if (quick) {
            command.append(" --quick");
        }
        return command.toString();
    }
}
