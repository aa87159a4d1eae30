package io.extensa.server.cli;

import io.extensa.server.ExtensaServer;
import io.extensa.server.ServerConfig;
import io.extensa.server.config.ConfigKeys;
import io.extensa.server.config.ConfigResolver;
import io.extensa.server.datadir.DataDirectory;
import io.extensa.server.logging.LogSetup;
import io.extensa.server.process.OsAccount;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "start", mixinStandardHelpOptions = true,
        description = {"Starts Extensa (PostgreSQL, launchpad, gateway).",
                "Initializes and runs a managed PostgreSQL in DIR/pgdata unless --postgres-url names an existing one,",
                "then the launchpad and the gateway. Runs in the foreground until Ctrl-C or SIGTERM, unless --detach."})
final class StartCommand implements Callable<Integer> {

    @Mixin
    DataDirOption common;

    @Option(names = "--port", paramLabel = "N",
            description = "Gateway TCP port (default: $EXTENSA_PORT, else gateway.port, else 5433).")
    Integer port;

    @Option(names = "--detach", description = "Start in the background; return once the gateway accepts connections.")
    boolean detach;

    @Option(names = "--postgres-url", paramLabel = "URL",
            description = "Use this existing PostgreSQL (postgresql://host:port or postgresql:///?host=/socket/dir)"
                    + " instead of the managed one.")
    String postgresUrl;

    @Option(names = "--config", paramLabel = "FILE", description = "Config file (default: DIR/extensa.conf if present).")
    Path configFile;

    /** Set by a detaching start on the background copy it launches: log to the file only. */
    @Option(names = "--detached-child", hidden = true)
    boolean detachedChild;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig config = ConfigResolver.resolve(flags(), System.getenv(), OsAccount.currentIsRoot(),
                Path.of(System.getProperty("user.home")));
        PrintWriter out = spec.commandLine().getOut();
        if (detach) {
            LogSetup.quiet();
            return new Detacher(config, out, spec.commandLine().getErr()).detach(childArguments(config));
        }
        var dir = new DataDirectory(config.dataDir());
        dir.prepare();
        LogSetup.server(dir.gatewayLog(), !detachedChild, config.logLevel());

        // Registered before starting: a SIGTERM that arrives mid-start (e.g. from a detaching parent
        // that gave up) waits for the start to finish, then stops whatever it brought up.
        var started = new CompletableFuture<ExtensaServer>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopWhenStarted(started), "extensa-shutdown"));
        ExtensaServer server;
        try {
            server = ExtensaServer.start(config);
            started.complete(server);
        } catch (RuntimeException | Error e) {
            started.completeExceptionally(e);
            throw e;
        }
        out.println(ConnectionInfo.describe(config, server.dataDirectory(), ProcessHandle.current().pid(),
                server.gatewayHost(), server.gatewayPort(), server.backend().toString(), !detachedChild));
        out.flush();
        Optional<String> failure = server.awaitTermination();
        if (failure.isPresent()) {
            spec.commandLine().getErr().println("extensa: " + failure.get());
            return ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
    }

    private static void stopWhenStarted(CompletableFuture<ExtensaServer> started) {
        try {
            started.get(Detacher.READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS).close();
        } catch (ExecutionException failedToStart) {
            // start() already stopped what it had started
        } catch (InterruptedException | TimeoutException e) {
            // the JVM is going down regardless; `extensa stop` cleans up what is left
        }
    }

    private ConfigResolver.Flags flags() {
        return new ConfigResolver.Flags(Optional.ofNullable(common.dataDir),
                port == null ? OptionalInt.empty() : OptionalInt.of(port),
                Optional.ofNullable(postgresUrl), Optional.ofNullable(configFile));
    }

    /** The same start for the background copy: resolved data directory, the flags as given. */
    private List<String> childArguments(ServerConfig config) {
        var args = new ArrayList<String>(List.of("start", "--detached-child", "--data-dir", config.dataDir().toString()));
        if (port != null) {
            args.add("--port");
            args.add(port.toString());
        }
        if (postgresUrl != null) {
            args.add("--postgres-url");
            args.add(postgresUrl);
        }
        if (configFile != null) {
            args.add("--config");
            args.add(configFile.toAbsolutePath().toString());
        }
        if (common.verbose) {
            args.add("--verbose");
        }
        return args;
    }

    /** The message that tells how to connect, printed by a foreground start and a detaching one. */
    static final class ConnectionInfo {
        private ConnectionInfo() {
        }

        static String describe(ServerConfig config, DataDirectory dir, long pid, String host, int port,
                String backend, boolean foreground) {
            var text = new StringBuilder();
            text.append("Extensa ").append(ExtensaServer.version()).append(" is running (pid ").append(pid)
                    .append(") on ").append(dir).append('\n');
            if (config.managedPostgres()) {
                text.append("  connect:    psql -h ").append(host).append(" -p ").append(port).append(" -U extensa extensa\n");
                text.append("  password:   ").append(config.adminPassword().isPresent()
                        ? "the value of " + ConfigKeys.ENV_ADMIN_PASSWORD
                        : "in " + dir.adminPasswordFile()).append('\n');
                text.append("  postgresql: managed, socket ").append(backend).append('\n');
            } else {
                text.append("  connect:    psql -h ").append(host).append(" -p ").append(port)
                        .append(" -U <role> <database>\n");
                text.append("  postgresql: external, ").append(backend).append('\n');
            }
            text.append("  logs:       ").append(dir.logDir()).append('\n');
            text.append("  stop:       extensa stop --data-dir ").append(dir).append(foreground ? "  (or Ctrl-C)" : "");
            return text.toString();
        }
    }
}
