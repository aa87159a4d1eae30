package io.extensa.server;

import io.extensa.pgwire.BackendAddress;
import io.extensa.engine.EngineConfig;
import io.extensa.engine.catalog.CatalogConfig;
import io.extensa.engine.ExtensaEngine;
import io.extensa.pgwire.Gateway;
import io.extensa.pgwire.GatewayConfig;
import io.extensa.pgwire.TlsSettings;
import io.extensa.server.datadir.DataDirectory;
import io.extensa.server.datadir.PidFile;
import io.extensa.server.datadir.ServerLock;
import io.extensa.server.datadir.ServerState;
import io.extensa.server.launchpad.LaunchpadProcess;
import io.extensa.server.launchpad.LaunchpadRestarts;
import io.extensa.server.postgres.ManagedPostgres;
import io.extensa.server.postgres.PostgresBinaries;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Extensa: the managed PostgreSQL (unless an external one is configured), the launchpad
 * daemon as a child JVM, and the gateway in this JVM. The CLI's {@code extensa start} and the
 * integration tests both bring the stack up with {@link #start(ServerConfig)}.
 *
 * <p>Start order is PostgreSQL, launchpad, gateway; {@link #close()} stops them in reverse. While it
 * runs, the server holds DIR/extensa.lock, so a second server on the same directory is refused.
 * If the launchpad dies, the server starts a new one on the same socket (with backoff, at most
 * {@link LaunchpadRestarts#MAX_RESTARTS} times within {@link LaunchpadRestarts#WINDOW}) and sends
 * it the resource pools again; jobs that ran fail with 38S06, the sessions go on. If PostgreSQL
 * dies, or the launchpad keeps dying, the server stops itself and {@link #awaitTermination()}
 * returns the reason.
 */
public final class ExtensaServer implements AutoCloseable {

    private static final Duration LAUNCHPAD_READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(ExtensaServer.class);

    private final ServerConfig config;
    private final DataDirectory dir;
    private final ServerLock lock;
    private final Instant startedAt = Instant.now();
    private final CompletableFuture<Optional<String>> terminated = new CompletableFuture<>();
    private ManagedPostgres postgres;
    private Optional<String> adminPassword = Optional.empty();
    private BackendAddress backend;
    private volatile LaunchpadProcess launchpad;
    private final LaunchpadRestarts launchpadRestarts;
    private String launchpadMainClass = LaunchpadProcess.MAIN_CLASS;
    private Gateway gateway;
    private ExtensaEngine engine;
    private io.extensa.server.metrics.MetricsEndpoint metrics;
    private ScheduledExecutorService watchdog;
    private final AtomicBoolean failing = new AtomicBoolean();
    private boolean closed;

    private ExtensaServer(ServerConfig config, DataDirectory dir, ServerLock lock, LaunchpadRestarts restarts) {
        this.launchpadRestarts = restarts;
        this.config = config;
        this.dir = dir;
        this.lock = lock;
    }

    /** Starts the whole stack; on failure everything already started is stopped again. */
    public static ExtensaServer start(ServerConfig config) {
        return start(config, LaunchpadProcess.MAIN_CLASS);
    }

    static ExtensaServer start(ServerConfig config, String launchpadMainClass) {
        return start(config, launchpadMainClass, new LaunchpadRestarts());
    }

    static ExtensaServer start(ServerConfig config, String launchpadMainClass, LaunchpadRestarts restarts) {
        DataDirectory dir = new DataDirectory(config.dataDir());
        preflight(config);
        ServerLock lock = ServerLock.tryAcquire(dir).orElseThrow(() -> alreadyRunning(dir));
        var server = new ExtensaServer(config, dir, lock, restarts);
        try {
            server.startComponents(launchpadMainClass);
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * The checks {@link #start} makes before touching anything, for a clear error early (the CLI
     * runs them before it detaches): writable data directory, no server running on it,
     * PostgreSQL binaries present, TLS files readable, gateway port free.
     */
    public static void preflight(ServerConfig config) {
        DataDirectory dir = new DataDirectory(config.dataDir());
        if (ServerLock.isHeld(dir)) {
            throw alreadyRunning(dir);
        }
        if (config.managedPostgres()) {
            PostgresBinaries.forCluster(config.postgresBinDir(), dir.pgdata());
        }
        config.tls().ifPresent(tls -> {
            for (Path file : new Path[] {tls.certificate(), tls.key()}) {
                if (!Files.isReadable(file)) {
                    throw new ExtensaException("TLS file " + file + " does not exist or is not readable");
                }
            }
        });
        checkPortFree(config.listenHost(), config.gatewayPort());
        dir.prepare();
    }

    /** The engine: runs Extensa's own statements for the gateway, on each caller's connection. */
    static ExtensaEngine engine(InterceptorContext context, Optional<String> adminPassword) {
        EngineConfig config = new EngineConfig(context.launchpadSocket(),
                context.dataDirectory().runDir().resolve("jobs"), EngineConfig.DEFAULT_CONNECT_TIMEOUT,
                context.version(), catalogConfig(context, adminPassword), context.config().managedPostgres(),
                context.dataDirectory().librariesDir(), EngineConfig.DEFAULT_R_COMMAND);
        try {
            ExtensaEngine engine = new ExtensaEngine(config);
            engine.services().startMonitoring(new io.extensa.engine.monitor.LaunchpadPoolUsage(
                    engine.services().launchpad()));
            return engine;
        } catch (IOException e) {
            throw new ExtensaException("cannot prepare the engine's job socket directory "
                    + config.jobSocketDirectory() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The managed PostgreSQL keeps the catalog in database extensa, reached as role extensa; an
     * external one only when catalog.user is configured (Extensa holds no other password).
     */
    private static Optional<CatalogConfig> catalogConfig(InterceptorContext context, Optional<String> adminPassword) {
        ServerConfig config = context.config();
        if (config.managedPostgres()) {
            return Optional.of(new CatalogConfig(context.backend(), "extensa", "extensa",
                    () -> adminPassword.orElse(null)));
        }
        return config.catalog().map(login -> new CatalogConfig(context.backend(), login.database(), login.user(),
                () -> login.passwordFile().map(ExtensaServer::readPassword).orElse(null)));
    }

    private static String readPassword(Path file) {
        try {
            return java.nio.file.Files.readString(file).strip();
        } catch (IOException e) {
            throw new ExtensaException("cannot read the catalog password file " + file + ": " + e.getMessage(), e);
        }
    }

    private void startComponents(String launchpadMainClass) {
        OptionalLong stalePid = PidFile.read(dir.pidFile());
        if (stalePid.isPresent()) {
            log.warn("removed the stale pid file {}: the server with pid {} is gone (it was not stopped cleanly)",
                    dir.pidFile(), stalePid.getAsLong());
        }
        PidFile.write(dir.pidFile(), ProcessHandle.current().pid());
        ServerState.delete(dir);
        removeStaleJobSockets();
        log.info("starting Extensa {} on {}", version(), dir);

        if (config.managedPostgres()) {
            postgres = ManagedPostgres.forStart(dir, PostgresBinaries.forCluster(config.postgresBinDir(), dir.pgdata()),
                    config.postgresAccount());
            adminPassword = Optional.of(postgres.start(config.adminPassword()));
            backend = postgres.address();
        } else {
            backend = config.externalPostgres().orElseThrow().address();
            checkReachable(backend);
            log.info("using the external PostgreSQL at {}", backend);
        }

        this.launchpadMainClass = launchpadMainClass;
        launchpad = LaunchpadProcess.start(dir, launchpadSettings(dir), config.logLevel(), launchpadMainClass,
                LAUNCHPAD_READY_TIMEOUT);

        GatewayConfig gatewayConfig = new GatewayConfig(config.listenHost(), config.gatewayPort(), backend,
                config.tls().map(tls -> new TlsSettings(tls.certificate(), tls.key())),
                GatewayConfig.DEFAULT_MAX_STARTUP_PACKET, GatewayConfig.DEFAULT_MAX_MESSAGE, Duration.ofSeconds(10));
        var context = new InterceptorContext(config, dir, launchpad.socket(), backend, startedAt, version());
        engine = engine(context, adminPassword);
        gateway = new Gateway(gatewayConfig, engine);
        try {
            gateway.start();
        } catch (BindException e) {
            throw portInUse(config.listenHost(), config.gatewayPort(), e);
        } catch (IOException e) {
            throw new ExtensaException("the gateway could not start on " + config.listenHost() + ":"
                    + config.gatewayPort() + ": " + e.getMessage(), e);
        }
        log.info("gateway listening on {}:{}, relaying to {}", config.listenHost(), gateway.port(), backend);
        if (config.metricsPort() >= 0) {
            try {
                metrics = io.extensa.server.metrics.MetricsEndpoint.start(engine.services(), config.metricsPort());
            } catch (IOException e) {
                throw new ExtensaException("the metrics endpoint could not start on "
                        + io.extensa.server.metrics.MetricsEndpoint.HOST + ":" + config.metricsPort() + ": "
                        + e.getMessage(), e);
            }
            log.info("metrics on http://{}:{}/metrics", io.extensa.server.metrics.MetricsEndpoint.HOST, metrics.port());
        }

        publishState();
        watch();
    }

    /**
     * The engine's per-job sockets (DIR/run/jobs/*.sock) of a gateway that was killed: nobody
     * listens on them any more, and only this server (it holds the lock) may create new ones.
     */
    private void removeStaleJobSockets() {
        Path sockets = dir.runDir().resolve("jobs");
        if (!Files.isDirectory(sockets)) {
            return;
        }
        int removed = 0;
        try (var entries = Files.newDirectoryStream(sockets, "*.sock")) {
            for (Path socket : entries) {
                Files.deleteIfExists(socket);
                removed++;
            }
        } catch (IOException e) {
            log.warn("cannot remove stale job sockets in {}: {}", sockets, e.getMessage());
        }
        if (removed > 0) {
            log.warn("removed {} job sockets left by a gateway that was not stopped cleanly", removed);
        }
    }

    private void publishState() {
        var values = new LinkedHashMap<String, String>();
        values.put(ServerState.PID, Long.toString(ProcessHandle.current().pid()));
        values.put(ServerState.STARTED, startedAt.toString());
        values.put(ServerState.VERSION, version());
        values.put(ServerState.GATEWAY_HOST, config.listenHost());
        values.put(ServerState.GATEWAY_PORT, Integer.toString(gateway.port()));
        values.put(ServerState.GATEWAY_TLS, Boolean.toString(config.tls().isPresent()));
        values.put(ServerState.POSTGRES_MODE, postgres != null ? ServerState.MODE_MANAGED : ServerState.MODE_EXTERNAL);
        values.put(ServerState.POSTGRES_ADDRESS, backend.toString());
        if (postgres != null) {
            postgres.pid().ifPresent(pid -> values.put(ServerState.POSTGRES_PID, Long.toString(pid)));
            values.put(ServerState.POSTGRES_ACCOUNT, postgres.account().name());
        }
        values.put(ServerState.LAUNCHPAD_PID, Long.toString(launchpad.pid()));
        values.put(ServerState.LAUNCHPAD_SOCKET, launchpad.socket().toString());
        if (metrics != null) {
            values.put(ServerState.METRICS_PORT, Integer.toString(metrics.port()));
        }
        new ServerState(values).write(dir);
    }

    /** Restarts a launchpad that died; stops the server when PostgreSQL dies, or the launchpad keeps dying. */
    private void watch() {
        watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "extensa-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        watchdog.scheduleWithFixedDelay(() -> {
            String failure = null;
            if (!launchpad.isAlive() && !launchpad.stopping() && !failing.get()) {
                failure = restartLaunchpad();
            } else if (postgres != null && !postgres.isRunning()) {
                failure = "PostgreSQL exited unexpectedly; see " + dir.postgresLog();
            }
            if (failure != null && failing.compareAndSet(false, true)) {
                log.error("{}: stopping Extensa", failure);
                String reason = failure;
                // close() shuts this executor down, so it must run on a thread of its own.
                new Thread(() -> closeBecause(Optional.of(reason)), "extensa-stop").start();
            }
        }, WATCH_INTERVAL.toMillis(), WATCH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Starts a new launchpad in place of one that died; null when it runs, else why the server
     * must stop. The jobs of the dead one are gone: their control connections broke, so their
     * calls fail (38S06); their satellites die with it (the sandbox's waiter watches the launchpad)
     * and the new launchpad sweeps whatever is left (pid files, job directories, cgroups) at start.
     */
    private String restartLaunchpad() {
        LaunchpadProcess dead = launchpad;
        String exit = dead.exitDescription();
        Optional<Duration> delay = launchpadRestarts.next(System.nanoTime());
        if (delay.isEmpty()) {
            return "the launchpad (pid " + dead.pid() + ") " + exit + " unexpectedly after "
                    + launchpadRestarts.maxRestarts() + " restarts within " + launchpadRestarts.window().toMinutes()
                    + " minutes; see " + dir.launchpadLog();
        }
        log.error("the launchpad (pid {}) {}; running script calls fail, restarting it in {} ms (restart {} of at"
                        + " most {} within {} minutes); see {}", dead.pid(), exit, delay.get().toMillis(),
                launchpadRestarts.recent(System.nanoTime()), launchpadRestarts.maxRestarts(),
                launchpadRestarts.window().toMinutes(), dir.launchpadLog());
        try {
            Thread.sleep(delay.get().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        synchronized (this) {
            if (closed) {
                return null;
            }
            try {
                launchpad = LaunchpadProcess.start(dir, launchpadSettings(dir), config.logLevel(), launchpadMainClass,
                        LAUNCHPAD_READY_TIMEOUT);
            } catch (RuntimeException e) {
                log.error("the launchpad could not be restarted: {}", e.getMessage());
                return null;
            }
        }
        log.warn("launchpad restarted (pid {}); sending it the resource pools", launchpad.pid());
        engine.services().launchpadRestarted();
        step("update the state file", this::publishState);
        return null;
    }

    public int gatewayPort() {
        return gateway.port();
    }

    /** The metrics endpoint's port on 127.0.0.1, when it runs. */
    public java.util.OptionalInt metricsPort() {
        return metrics == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(metrics.port());
    }

    public String gatewayHost() {
        return config.listenHost();
    }

    /** The password of role extensa of the managed PostgreSQL; empty with an external one. */
    public Optional<String> adminPassword() {
        return adminPassword;
    }

    public Path dataDir() {
        return dir.root();
    }

    public DataDirectory dataDirectory() {
        return dir;
    }

    /** The directory holding the managed PostgreSQL's socket (for psql -h); empty with an external one. */
    public Optional<Path> postgresSocketDir() {
        return postgres == null ? Optional.empty() : Optional.of(dir.runDir());
    }

    /** Where the gateway relays to. */
    public BackendAddress backend() {
        return backend;
    }

    public boolean managedPostgres() {
        return postgres != null;
    }

    public OptionalLong postgresPid() {
        return postgres == null ? OptionalLong.empty() : postgres.pid();
    }

    /**
     * The operator's launchpad settings, plus the external-library directory as the only place a
     * job's library binds may come from: each job sees read-only just the library directories its
     * caller may use (LAUNCH library_path), never the whole cache with other users' private ones.
     */
    private java.util.Map<String, String> launchpadSettings(DataDirectory dir) {
        Path libraries;
        try {
            libraries = Files.createDirectories(dir.librariesDir()).toAbsolutePath().normalize();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + dir.librariesDir(), e);
        }
        java.util.Map<String, String> settings = new java.util.TreeMap<>(config.launchpadSettings());
        settings.putIfAbsent("launchpad.sandbox.library_root", libraries.toString());
        return settings;
    }

    public long launchpadPid() {
        return launchpad.pid();
    }

    public Path launchpadSocket() {
        return launchpad.socket();
    }

    public ServerConfig config() {
        return config;
    }

    /**
     * Blocks until the server has stopped: empty after an orderly {@link #close()}, or why it
     * stopped by itself (a component died).
     */
    public Optional<String> awaitTermination() throws InterruptedException {
        try {
            return terminated.get();
        } catch (ExecutionException e) {
            return Optional.of(String.valueOf(e.getCause()));
        }
    }

    /** Stops gateway, launchpad, then PostgreSQL, and releases the data directory. Idempotent. */
    @Override
    public void close() {
        closeBecause(Optional.empty());
    }

    private synchronized void closeBecause(Optional<String> reason) {
        if (closed) {
            return;
        }
        closed = true;
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
        log.info("stopping Extensa{}", reason.map(r -> " (" + r + ")").orElse(""));
        if (gateway != null) {
            step("stop the gateway", gateway::close);
        }
        if (metrics != null) {
            step("stop the metrics endpoint", metrics::close);
        }
        if (engine != null) {
            step("stop the engine", engine::close);
        }
        if (launchpad != null) {
            step("stop the launchpad", launchpad::close);
        }
        if (postgres != null) {
            step("stop PostgreSQL", postgres::stop);
        }
        step("remove the state file", () -> ServerState.delete(dir));
        step("remove the pid file", () -> PidFile.delete(dir.pidFile()));
        lock.close();
        log.info("Extensa stopped");
        terminated.complete(reason);
    }

    private static void step(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            log.error("could not {}: {}", what, e.getMessage(), e);
        }
    }

    /** The version from the jar manifest, or "development" when running from classes. */
    public static String version() {
        String version = ExtensaServer.class.getPackage().getImplementationVersion();
        return version != null ? version : "development";
    }

    static ExtensaException alreadyRunning(DataDirectory dir) {
        String pid = PidFile.read(dir.pidFile()).stream().mapToObj(p -> " (pid " + p + ")").findFirst().orElse("");
        return new ExtensaException("Extensa is already running on " + dir + pid
                + "; stop it with `extensa stop --data-dir " + dir + "` or choose another --data-dir");
    }

    private static void checkPortFree(String host, int port) {
        if (port == 0) {
            return;
        }
        try (var probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            throw portInUse(host, port, e);
        } catch (IOException e) {
            throw new ExtensaException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private static ExtensaException portInUse(String host, int port, Exception cause) {
        return new ExtensaException("port " + port + " on " + host + " is already in use; choose another with --port"
                + " (or EXTENSA_PORT, or gateway.port in extensa.conf), or stop what listens there (ss -ltnp 'sport = :"
                + port + "' shows it)", cause);
    }

    private static void checkReachable(BackendAddress address) {
        try {
            if (address instanceof BackendAddress.Unix unix) {
                try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    channel.connect(unix.socketAddress());
                }
            } else {
                try (Socket socket = new Socket()) {
                    socket.connect(address.socketAddress(), 5000);
                }
            }
        } catch (IOException e) {
            throw new ExtensaException("the external PostgreSQL at " + address + " does not accept connections: "
                    + e.getMessage() + "; check postgres.url / --postgres-url / EXTENSA_POSTGRES_URL", e);
        }
    }
}
