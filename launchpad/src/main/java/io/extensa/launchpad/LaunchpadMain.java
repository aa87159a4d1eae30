package io.extensa.launchpad;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code java io.extensa.launchpad.LaunchpadMain --socket PATH --jobs-dir DIR --runtime-dir DIR
 * [--config FILE] [--log-file FILE] [--exit-with-stdin]}: runs the launchpad until SIGTERM or
 * SIGINT (or, with {@code --exit-with-stdin}, the end of its standard input), then stops its jobs,
 * removes their directories and its socket, and exits 0. Exits 2 on bad arguments and 1 when it
 * cannot start.
 */
public final class LaunchpadMain {

    private static final String USAGE = """
            usage: launchpad --socket PATH --jobs-dir DIR --runtime-dir DIR [--config FILE] [--log-file FILE]
              --socket PATH       control socket to listen on (Unix domain socket)
              --jobs-dir DIR      where per-job working directories are created
              --runtime-dir DIR   where language runtimes unpack their support files
              --config FILE       optional key = value settings (launchpad.*, language.<name>.*)
              --log-file FILE     log there instead of stderr (ignored when -Dlogback.configurationFile is set)
              --exit-with-stdin   stop when standard input ends (a pipe from the process that started it, so a
                                  launchpad does not outlive its server when that is killed)
            """;

    private LaunchpadMain() {
    }

    public static void main(String[] args) {
        Map<String, String> options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            fail(System.err, e.getMessage());
            System.exit(2);
            return;
        }
        if (options.containsKey("--help")) {
            System.out.print(USAGE);
            return;
        }
        configureLogging(options.get("--log-file"));
        // only now: the first logger configures logback, which needs the property set above
        Logger log = LoggerFactory.getLogger(LaunchpadMain.class);
        Launchpad launchpad;
        try {
            LaunchpadConfig config = LaunchpadConfig.of(Path.of(options.get("--socket")),
                    Path.of(options.get("--jobs-dir")), Path.of(options.get("--runtime-dir")));
            if (options.containsKey("--config")) {
                config = config.withSettings(LaunchpadConfig.readSettings(Path.of(options.get("--config"))));
            }
            launchpad = new Launchpad(config);
            Runtime.getRuntime().addShutdownHook(new Thread(launchpad::close, "launchpad-shutdown"));
            launchpad.start();
            if (options.containsKey("--exit-with-stdin")) {
                watchStdin(launchpad, log);
            }
        } catch (Exception e) {
            log.error("the launchpad cannot start: {}", e.getMessage(), e);
            fail(System.err, e.getMessage());
            System.exit(1);
            return;
        }
        try {
            launchpad.awaitClosed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            launchpad.close();
        }
    }

    /** The server holds the other end of our stdin: its end (the server died, even by SIGKILL) is ours. */
    private static void watchStdin(Launchpad launchpad, Logger log) {
        Thread.ofPlatform().daemon().name("launchpad-lifeline").start(() -> {
            byte[] buffer = new byte[256];
            try {
                while (System.in.read(buffer) >= 0) {
                    // nothing is ever sent: only the end counts
                }
            } catch (java.io.IOException e) {
                // a broken pipe ends it just the same
            }
            log.warn("standard input ended: the process that started the launchpad is gone; stopping");
            launchpad.close();
        });
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> options.put("--help", "");
                case "--exit-with-stdin" -> options.put("--exit-with-stdin", "");
                case "--socket", "--jobs-dir", "--runtime-dir", "--config", "--log-file" -> {
                    if (i + 1 >= args.length || args[i + 1].isEmpty()) {
                        throw new IllegalArgumentException(arg + " needs a value");
                    }
                    options.put(arg, args[++i]);
                }
                default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
        }
        if (!options.containsKey("--help")) {
            for (String required : new String[] {"--socket", "--jobs-dir", "--runtime-dir"}) {
                if (!options.containsKey(required)) {
                    throw new IllegalArgumentException(required + " is required");
                }
            }
        }
        return options;
    }

    /** Chooses one of the bundled logback configurations unless the caller named one. */
    private static void configureLogging(String logFile) {
        if (System.getProperty("logback.configurationFile") != null) {
            return;
        }
        if (logFile != null) {
            System.setProperty("extensa.launchpad.log", Path.of(logFile).toAbsolutePath().toString());
            System.setProperty("logback.configurationFile", "io/extensa/launchpad/logback-file.xml");
        } else {
            System.setProperty("logback.configurationFile", "io/extensa/launchpad/logback-stderr.xml");
        }
    }

    private static void fail(PrintStream err, String message) {
        err.println("launchpad: " + message);
        err.print(USAGE);
    }
}
