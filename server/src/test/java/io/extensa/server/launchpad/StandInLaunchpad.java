package io.extensa.server.launchpad;

import java.io.FileReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A stand-in daemon for testing how LaunchpadProcess supervises a child JVM (readiness, early
 * exit, stop, leftover children). It accepts the launchpad's command line; what it does comes from
 * {@code launchpad.test.mode} in the --config file: serve (default), exit, spawn.
 */
public final class StandInLaunchpad {

    public static void main(String[] args) throws Exception {
        Path socket = null;
        Path config = null;
        for (int i = 0; i + 1 < args.length; i++) {
            switch (args[i]) {
                case "--socket" -> socket = Path.of(args[++i]);
                case "--config" -> config = Path.of(args[++i]);
                default -> { }
            }
        }
        var settings = new Properties();
        try (var reader = new FileReader(config.toFile())) {
            settings.load(reader);
        }
        String mode = settings.getProperty("launchpad.test.mode", "serve");
        System.out.println("stand-in launchpad, mode " + mode + ", level " + System.getProperty("extensa.log.level"));
        if (mode.equals("exit")) {
            System.out.println("boom: refusing to start");
            System.exit(3);
        }
        if (mode.equals("spawn")) {
            new ProcessBuilder("sleep", "3600").start();
        }
        Path bound = socket;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(bound);
            } catch (Exception ignored) {
                // best effort
            }
        }));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            while (true) {
                server.accept().close();
            }
        }
    }
}
