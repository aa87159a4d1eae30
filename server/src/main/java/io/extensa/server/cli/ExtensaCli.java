package io.extensa.server.cli;

import io.extensa.server.ExtensaException;
import io.extensa.server.ExtensaServer;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code extensa} command: start, stop, status, launchpad. */
@Command(name = "extensa", mixinStandardHelpOptions = true, versionProvider = ExtensaCli.Version.class,
        description = "Runs Python and R from SQL, next to the data, on PostgreSQL.",
        subcommands = {StartCommand.class, StopCommand.class, StatusCommand.class, LaunchpadCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 success, 1 failure, 2 bad usage, 3 not running (status).",
                "See docs/operations.md for configuration keys and environment variables."})
public final class ExtensaCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        if (code != ExitCodes.KEEP_RUNNING) {
            System.exit(code);
        }
    }

    /** The configured picocli command line (tests run commands through it in-process). */
    static CommandLine commandLine() {
        var commandLine = new CommandLine(new ExtensaCli());
        commandLine.setExecutionExceptionHandler(ExtensaCli::handleError);
        return commandLine;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Errors the person can act on print as one message; anything else also says how to see more. */
    private static int handleError(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
        PrintWriter err = commandLine.getErr();
        boolean verbose = parsed.subcommand() != null
                ? parsed.subcommand().hasMatchedOption("--verbose")
                : parsed.hasMatchedOption("--verbose");
        if (e instanceof ExtensaException) {
            err.println("extensa: " + e.getMessage());
        } else {
            err.println("extensa: unexpected error: " + e
                    + (verbose ? "" : " (run with --verbose for the stack trace)"));
        }
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.FAILURE;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"extensa " + ExtensaServer.version()};
        }
    }
}
