package io.extensa.bench;

import io.extensa.bench.system.MachineFacts;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/bench}: brings up Extensa on the embedded default in a fresh directory, runs the
 * chosen suites against their peers on the same PostgreSQL, prints the Markdown report and writes
 * it to a file, then stops everything it started.
 */
public final class BenchMain {

    private static final int EXIT_OK = 0;
    private static final int EXIT_FAILED = 1;
    private static final int EXIT_USAGE = 2;

    private BenchMain() {
    }

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args)));
    }

    static int run(List<String> args) {
        List<String> known = List.copyOf(Suites.names());
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, known);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(BenchOptions.USAGE.formatted(String.join(", ", known)));
            return EXIT_USAGE;
        }
        if (options.help()) {
            System.out.print(BenchOptions.USAGE.formatted(String.join(", ", known)));
            return EXIT_OK;
        }
        if (options.list()) {
            for (String name : known) {
                System.out.printf("%-10s %s%n", name, Suites.create(name).orElseThrow().summary());
            }
            return EXIT_OK;
        }
        return runSuites(options, known);
    }

    private static int runSuites(BenchOptions options, List<String> known) {
        Path root = Path.of(System.getProperty("extensa.home", ".")).toAbsolutePath().normalize();
        Path outFile = options.outputFile(root, known).toAbsolutePath();
        String command = options.commandLine(known);

        Map<String, String> facts = MachineFacts.describe();
        String loadBefore = MachineFacts.loadAverage();
        double busyBefore = MachineFacts.busyFraction(Duration.ofSeconds(3));
        System.err.printf("bench: %s; load average %s; machine %s busy before starting%n", command, loadBefore,
                Format.percent(busyBefore));

        BenchStack stack;
        try {
            stack = BenchStack.start();
        } catch (RuntimeException | Error e) {
            System.err.println("bench: could not start Extensa: " + e);
            return EXIT_FAILED;
        }
        var context = new BenchContext(stack, options.quick());
        Thread cleanup = new Thread(() -> {
            context.closeRegistered();
            stack.close();
        }, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);

        List<Report> sections = new ArrayList<>();
        boolean failed = false;
        String postgresVersion;
        try {
            postgresVersion = shortVersion(stack.queryValue("SELECT version()"));
            context.progress("bench", "Extensa is up: gateway on 127.0.0.1:" + stack.gatewayPort()
                    + ", PostgreSQL on " + stack.socketFile());
            for (String name : options.suites()) {
                Suite suite = Suites.create(name).orElseThrow();
                Report section = new Report();
                try {
                    suite.run(context, section);
                } catch (Exception | Error e) {
                    failed = true;
                    stack.keepWorkDir();
                    context.progress(name, "FAILED: " + e);
                    section.heading(2, "Suite `" + name + "`: failed").code("", stackTrace(e));
                } finally {
                    context.closeRegistered();
                }
                sections.add(section);
            }
        } catch (Exception e) {
            System.err.println("bench: " + e);
            stack.keepWorkDir();
            return EXIT_FAILED;
        } finally {
            context.closeRegistered();
            stack.close();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }

        Report report = header(command, options, facts, postgresVersion, loadBefore, busyBefore);
        sections.forEach(report::append);
        // The work directory is temporary and different every run; the report names it $WORK.
        String markdown = report.markdown().replace(stack.workDir().toString(), "$WORK");
        System.out.print(markdown);
        System.out.flush();
        try {
            Files.createDirectories(outFile.getParent());
            Files.writeString(outFile, markdown, StandardCharsets.UTF_8);
            System.err.println("bench: report written to " + outFile);
        } catch (IOException e) {
            System.err.println("bench: could not write " + outFile + ": " + e.getMessage());
            return EXIT_FAILED;
        }
        return failed ? EXIT_FAILED : EXIT_OK;
    }

    private static Report header(String command, BenchOptions options, Map<String, String> facts,
            String postgresVersion, String loadBefore, double busyBefore) {
        Report report = new Report().heading(1, "Extensa benchmark results");
        report.paragraph("Command: `" + command + "` (suites: " + String.join(", ", options.suites()) + ")"
                + (options.quick() ? ". **--quick run: one short repetition, for checking the harness only.**" : ".")
                + " `$WORK` below is the fresh directory the run used under /tmp (removed afterwards); `$WORK/data` "
                + "is Extensa's data directory, `$WORK/data/run` holds PostgreSQL's Unix socket.");
        var table = new Report.Table("machine", "");
        facts.forEach(table::row);
        table.row("PostgreSQL", postgresVersion);
        table.row("load average before", loadBefore);
        table.row("CPU busy before (3 s sample, all cores)", Format.percent(busyBefore));
        table.row("load average after", MachineFacts.loadAverage());
        return report.table(table);
    }

    /** "PostgreSQL 15.20 (Debian 15.20-0+deb12u1)" without the compiler details. */
    static String shortVersion(String version) {
        int on = version.indexOf(" on ");
        return on > 0 ? version.substring(0, on) : version;
    }

    private static String stackTrace(Throwable e) {
        StringWriter text = new StringWriter();
        e.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
