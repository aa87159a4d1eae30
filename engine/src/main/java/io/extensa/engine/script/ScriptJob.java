package io.extensa.engine.script;

import io.extensa.engine.EngineServices;
import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.ExecutionContext;
import io.extensa.protocol.launch.Exited;
import io.extensa.protocol.launch.LaunchErrorKind;
import io.extensa.protocol.launch.LaunchRequest;
import io.extensa.protocol.launch.LaunchedJob;
import io.extensa.protocol.launch.LaunchpadException;
import io.extensa.protocol.message.Message;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One satellite for one call: asks the launchpad to start it, waits for it on the job socket,
 * and turns every way it can fail (unknown language, launch failure, crash, kill, protocol
 * garbage) into an error that says what happened, with the satellite's own last words.
 */
final class ScriptJob implements AutoCloseable {

    private static final SecureRandom SECRETS = new SecureRandom();

    private final String language;
    private final String jobId;
    private final SatelliteChannel channel;
    private final LaunchedJob job;
    private final String pool;
    private volatile boolean cancelled;
    private volatile boolean timedOut;
    private volatile ScheduledFuture<?> statementTimer;
    private volatile CallDeadline deadline = CallDeadline.NONE;
    private volatile boolean launchpadLost;

    private ScriptJob(String language, String jobId, SatelliteChannel channel, LaunchedJob job, String pool) {
        this.language = language;
        this.jobId = jobId;
        this.channel = channel;
        this.job = job;
        this.pool = pool;
    }

    /**
     * For a further satellite of a parallel call: launches it only when its pool has a free slot
     * right now; empty when the pool is at MAX_PROCESSES or its queue is full.
     */
    static Optional<ScriptJob> launchIfSlotFree(EngineServices services, ExecutionContext ctx, String language,
                                                long statementTimeoutMillis) throws PgException {
        try {
            return Optional.of(begin(services, ctx, language, services.newJobId(), true, statementTimeoutMillis)
                    .await());
        } catch (NoFreeSlot e) {
            return Optional.empty();
        }
    }

    /** The pool had no free slot for an opportunistic launch. */
    private static final class NoFreeSlot extends PgException {
        NoFreeSlot(String message) {
            super(SqlState.INSUFFICIENT_RESOURCES, message);
        }
    }

    /**
     * Sends LAUNCH and returns at once, so the caller can ask PostgreSQL what it needs while the
     * launchpad starts the satellite; {@link Launching#await} then waits for LAUNCHED.
     *
     * @param statementTimeoutMillis the caller's statement_timeout, 0 for none
     */
    static Launching begin(EngineServices services, ExecutionContext ctx, String language, String jobId,
                           long statementTimeoutMillis, StandbyActivation early) throws PgException {
        Launching activated = early.take();
        if (activated != null) {
            java.util.List<java.nio.file.Path> libraries = services.librarySearchPath(ctx, language);
            if (activated.key.libraries().equals(libraries)) {
                activated.statementTimeout(statementTimeoutMillis);
                return activated;
            }
            // the caller's library search path changed since the standby started
            activated.abandon();
        }
        return begin(services, ctx, language, jobId, false, statementTimeoutMillis, true);
    }

    /**
     * ACTIVATE for a ready standby of the caller, matching all but the library search path (read
     * only after the permission check); {@link StandbyActivation#NONE} when there is none. The
     * launchpad then answers while PostgreSQL checks the permission.
     */
    static StandbyActivation activateReadyStandby(EngineServices services, ExecutionContext ctx, String language)
            throws PgException {
        Optional<StandbySatellites.Standby> standby = services.standbys().takeReady(ctx.session().user(),
                ctx.session().database(), language, services.poolFor(ctx.session().user()));
        if (standby.isEmpty()) {
            return StandbyActivation.NONE;
        }
        return new StandbyActivation(Launching.activate(services, ctx, language, standby.get(), 0));
    }

    private static Launching begin(EngineServices services, ExecutionContext ctx, String language, String jobId,
                                   boolean onlyIfSlotFree, long statementTimeoutMillis) throws PgException {
        return begin(services, ctx, language, jobId, onlyIfSlotFree, statementTimeoutMillis, false);
    }

    /** @param useStandby take the caller's standby satellite when one is there */
    private static Launching begin(EngineServices services, ExecutionContext ctx, String language, String jobId,
                                   boolean onlyIfSlotFree, long statementTimeoutMillis, boolean useStandby)
            throws PgException {
        java.util.List<java.nio.file.Path> libraries = services.librarySearchPath(ctx, language);
        String pool = services.poolFor(ctx.session().user());
        StandbySatellites.Key key = onlyIfSlotFree ? null : new StandbySatellites.Key(ctx.session().user(),
                ctx.session().database(), language, pool, libraries);
        if (key != null && useStandby) {
            Optional<StandbySatellites.Standby> standby = services.standbys().take(key,
                    services.config().satelliteConnectTimeout(), ctx.cancellation()::isCancelled);
            if (standby.isPresent()) {
                return Launching.activate(services, ctx, language, standby.get(), statementTimeoutMillis);
            }
            ctx.cancellation().throwIfCancelled();
        }
        byte[] secret = new byte[LaunchRequest.SECRET_BYTES];
        SECRETS.nextBytes(secret);
        SatelliteChannel channel;
        try {
            channel = SatelliteChannel.listen(services.config().jobSocketDirectory().resolve(jobId + ".sock"));
        } catch (IOException e) {
            throw new PgException(SqlState.SATELLITE_LAUNCH_FAILED,
                    "cannot create the job socket for a '" + language + "' script: " + e.getMessage());
        }
        Launching launching = new Launching(services, ctx, language, jobId, onlyIfSlotFree, channel, secret);
        launching.key = key;
        try {
            launching.pool = pool;
            launching.deadline = CallDeadline.of(statementTimeoutMillis, services.scriptTimeoutMillis());
            launching.timeoutMillis = launching.deadline.millis();
            LaunchRequest.Builder builder = LaunchRequest.builder(jobId, language)
                    .socketPath(channel.socketPath())
                    .secret(secret)
                    .user(ctx.session().user())
                    .database(ctx.session().database())
                    .pool(launching.pool)
                    .sessionId(ctx.session().sessionId())
                    .libraryPaths(libraries);
            if (onlyIfSlotFree) {
                builder.queueTimeout(Duration.ofMillis(1));
            } else if (launching.timeoutMillis > 0) {
                // waiting in the pool's queue counts against statement_timeout too
                builder.queueTimeout(Duration.ofMillis(launching.timeoutMillis));
            }
            // while the launchpad restarts this waits for it (a CancelRequest ends the wait)
            launching.pending = services.launchpad().start(builder.build(), ctx.cancellation()::isCancelled);
            return launching;
        } catch (PgException e) {
            channel.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw launching.failure(e);
        }
    }

    /** A LAUNCH sent, its LAUNCHED not yet read. */
    static final class Launching {
        private final EngineServices services;
        private final ExecutionContext ctx;
        private final String language;
        private final String jobId;
        private final boolean onlyIfSlotFree;
        private final SatelliteChannel channel;
        private final byte[] secret;
        private final long started = System.nanoTime();
        private String pool;
        private long timeoutMillis;
        private CallDeadline deadline = CallDeadline.NONE;
        private LaunchedJob pending;
        /** What a standby for the caller's next call must match; null for further satellites of a parallel call. */
        private StandbySatellites.Key key;
        private boolean activating;
        private long statementTimeoutMillis;
        private io.extensa.engine.loopback.LoopbackSocket.Bound loopback;

        private Launching(EngineServices services, ExecutionContext ctx, String language, String jobId,
                          boolean onlyIfSlotFree, SatelliteChannel channel, byte[] secret) {
            this.services = services;
            this.ctx = ctx;
            this.language = language;
            this.jobId = jobId;
            this.onlyIfSlotFree = onlyIfSlotFree;
            this.channel = channel;
            this.secret = secret;
        }

        /**
         * A standby's ACTIVATE sent: the satellite runs and has greeted already; {@link #await} waits
         * for its pool slot.
         */
        static Launching activate(EngineServices services, ExecutionContext ctx, String language,
                                  StandbySatellites.Standby standby, long statementTimeoutMillis) throws PgException {
            Launching launching = new Launching(services, ctx, language, standby.jobId, false, standby.channel, null);
            launching.key = standby.key;
            launching.pool = standby.key.pool();
            launching.activating = true;
            launching.statementTimeoutMillis = statementTimeoutMillis;
            launching.pending = standby.job;
            launching.loopback = standby.takeLoopback();
            try {
                launching.deadline = CallDeadline.of(statementTimeoutMillis, services.scriptTimeoutMillis());
                launching.timeoutMillis = launching.deadline.millis();
                // only a slot free now: a standby holds a worker account, and waiting with it in a full
                // pool's queue could take the last account from a launch that has its slot already
                standby.job.activate(Duration.ofMillis(1));
                return launching;
            } catch (PgException e) {
                standby.close();
                launching.closeLoopback();
                throw e;
            } catch (IOException | RuntimeException e) {
                standby.close();
                launching.closeLoopback();
                throw launching.failure(e);
            }
        }

        /** For a standby activated before the caller's statement_timeout was known. */
        private void statementTimeout(long millis) throws PgException {
            statementTimeoutMillis = millis;
            deadline = CallDeadline.of(millis, services.scriptTimeoutMillis());
            timeoutMillis = deadline.millis();
        }

        /**
         * Waits for LAUNCHED, or a standby's ACTIVATED (cancellably); the job then runs and its
         * satellite connects soon.
         */
        ScriptJob await() throws PgException {
            try {
                LaunchedJob job;
                if (activating) {
                    try {
                        job = PoolAdmission.awaitActivated(services, ctx, pending);
                    } catch (LaunchpadException e) {
                        if (!e.kind().equals(LaunchErrorKind.POOL_TIMEOUT)
                                && !e.kind().equals(LaunchErrorKind.POOL_QUEUE_FULL)) {
                            throw e;
                        }
                        return launchInstead();
                    }
                } else {
                    job = PoolAdmission.await(services, ctx, pending);
                }
                ScriptJob scriptJob = new ScriptJob(language, jobId, channel, job, pool);
                scriptJob.secret = secret;
                scriptJob.standbyKey = key;
                scriptJob.loopback = loopback;
                loopback = null;
                scriptJob.deadline = deadline;
                scriptJob.watchLaunchpad();
                if (timeoutMillis > 0) {
                    long left = Math.max(1, timeoutMillis - (System.nanoTime() - started) / 1_000_000);
                    scriptJob.statementTimer = services.scheduler().schedule(() -> {
                        scriptJob.timedOut = true;
                        scriptJob.cancel();
                    }, left, TimeUnit.MILLISECONDS);
                }
                return scriptJob;
            } catch (PgException e) {
                channel.close();
                closeLoopback();
                throw e;
            } catch (IOException | RuntimeException e) {
                channel.close();
                closeLoopback();
                throw failure(e);
            }
        }

        /**
         * The standby's pool had no free slot: it is gone (the launchpad ended it), and the call
         * launches a satellite as without standbys, which waits in the pool's queue holding nothing.
         */
        private ScriptJob launchInstead() throws PgException {
            channel.close();
            closeLoopback();
            services.standbys().poolBusy(key);
            long left = statementTimeoutMillis <= 0 ? 0
                    : Math.max(1, statementTimeoutMillis - (System.nanoTime() - started) / 1_000_000);
            return begin(services, ctx, language, services.newJobId(), false, left, false).await();
        }

        /** Gives the launch up (the call failed before it needed the satellite): the launchpad ends the job. */
        void abandon() {
            if (pending != null) {
                pending.close();
            }
            channel.close();
            closeLoopback();
        }

        private void closeLoopback() {
            if (loopback != null) {
                loopback.close();
                loopback = null;
            }
        }

        private PgException failure(Exception cause) {
            if (cause instanceof LaunchpadException e) {
                if (onlyIfSlotFree && (e.kind().equals(LaunchErrorKind.POOL_TIMEOUT)
                        || e.kind().equals(LaunchErrorKind.POOL_QUEUE_FULL))) {
                    return new NoFreeSlot(e.getMessage());
                }
                if (e.kind().equals(LaunchErrorKind.POOL_TIMEOUT) && timeoutMillis > 0) {
                    return deadline.expired().withDetail(e.getMessage());
                }
                return switch (e.kind()) {
                    case LaunchErrorKind.POOL_TIMEOUT, LaunchErrorKind.POOL_QUEUE_FULL -> new PgException(
                            SqlState.INSUFFICIENT_RESOURCES, "no free slot in external resource pool \"" + pool
                            + "\" for a '" + language + "' script: " + e.getMessage())
                            .withHint("raise MAX_PROCESSES of the pool, or launchpad.queue_timeout_ms");
                    case LaunchErrorKind.UNKNOWN_POOL -> new PgException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                            "external resource pool \"" + pool + "\" is not in force: " + e.getMessage())
                            .withHint("run ALTER RESOURCE GOVERNOR RECONFIGURE");
                    case LaunchErrorKind.UNKNOWN_LANGUAGE -> new PgException(SqlState.UNDEFINED_OBJECT, e.getMessage())
                            .withHint("the languages available are listed by EXEC sp_extensa_info");
                    case LaunchErrorKind.CONNECTION_FAILED -> new PgException(SqlState.SATELLITE_LAUNCH_FAILED,
                            "unable to communicate with the launchpad to run a '" + language + "' script: "
                            + e.getMessage()).withHint("is the launchpad running? see bin/extensa status");
                    default -> new PgException(SqlState.SATELLITE_LAUNCH_FAILED,
                            "unable to launch the runtime for a '" + language + "' script: " + e.getMessage());
                };
            }
            return new PgException(SqlState.SATELLITE_LAUNCH_FAILED,
                    "unable to launch the runtime for a '" + language + "' script: " + cause.getMessage());
        }
    }

    private byte[] secret;
    private StandbySatellites.Key standbyKey;
    /** A standby's loopback socket, bound before the call; null once taken or when there is none. */
    private io.extensa.engine.loopback.LoopbackSocket.Bound loopback;

    /** The loopback socket bound ahead of the call (a standby's), for the call to start; null when none. */
    io.extensa.engine.loopback.LoopbackSocket.Bound takeBoundLoopback() {
        var l = loopback;
        loopback = null;
        return l;
    }

    /** The call this job served ended: a standby satellite gets ready for the caller's next one. */
    void readyNextCall(EngineServices services) {
        if (standbyKey != null) {
            services.standbys().replenish(standbyKey);
        }
    }

    /**
     * A launchpad that dies takes the job's control connection with it: the satellite is killed
     * (its sandbox's waiter watches the launchpad), and this call must fail at once with an error
     * that says so, not wait for a satellite that will never answer.
     */
    private void watchLaunchpad() {
        job.exit().whenComplete((exited, error) -> {
            if (isLaunchpadLoss(error)) {
                launchpadLost = true;
                channel.close();
            }
        });
    }

    private static boolean isLaunchpadLoss(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
        return cause instanceof LaunchpadException e && e.kind().equals(LaunchErrorKind.CONNECTION_LOST);
    }

    private PgException launchpadRestarted() {
        return new PgException(SqlState.LAUNCHPAD_RESTARTED, "the launchpad stopped while the '" + language
                + "' script ran (job " + jobId + "); the script was ended. Extensa restarts the launchpad: run the"
                + " call again")
                .withHint("the launchpad's log (DIR/log/launchpad.log) and the gateway's log say why it stopped");
    }

    String jobId() {
        return jobId;
    }

    long pid() {
        return job.pid();
    }

    /** The resource pool the satellite runs in. */
    String pool() {
        return pool;
    }

    String worker() {
        return job.worker();
    }

    /** The job's working directory, as the launchpad made it. */
    java.nio.file.Path workDir() {
        return job.workDir();
    }

    /**
     * Offers loopback statements (and the loopback socket's connection string, when not null) to
     * the satellite in WELCOME; call before {@link #awaitSatellite}. Jobs that are not offered
     * loopback (multi-unit calls) get a WELCOME without it.
     */
    void offerLoopback(String dsn) {
        channel.offerLoopback(dsn);
    }

    /** Whether the satellite said in HELLO that it runs a run of units from one END_OF_INPUT. */
    boolean unitRuns() {
        return channel.hello() != null && channel.hello().unitRuns();
    }

    /** Whether the satellite said in HELLO that it groups its rows by key itself (END_OF_INPUT group_by). */
    boolean keyGroups() {
        return channel.hello() != null && channel.hello().keyGroups();
    }

    /** Waits for the satellite's HELLO; gives up when it exits first, the timeout passes or the call is cancelled. */
    void awaitSatellite(EngineServices services, Duration timeout) throws PgException {
        if (channel.hello() != null) {
            // a standby: connected and proven before the call came
            try {
                channel.welcome();
            } catch (IOException e) {
                throw failure(e);
            }
            return;
        }
        try {
            channel.acceptHello(jobId, secret, job.exit(), services.scheduler(), timeout);
            channel.welcome();
        } catch (IOException e) {
            throwIfCancelled();
            if (launchpadLost) {
                throw launchpadRestarted();
            }
            Optional<Exited> exit = exitInfo(Duration.ofMillis(500));
            if (exit.isPresent()) {
                throw withTail(new PgException(SqlState.SATELLITE_LAUNCH_FAILED, "the '" + language
                        + "' runtime " + describe(exit.get()) + " before it could start the script"), exit.get());
            }
            if (channel.timedOut()) {
                throw new PgException(SqlState.SATELLITE_LAUNCH_FAILED, "the '" + language + "' runtime (pid "
                        + job.pid() + ") did not connect within " + timeout.toSeconds() + " s");
            }
            throw new PgException(SqlState.SATELLITE_LAUNCH_FAILED, "unable to communicate with the runtime for a '"
                    + language + "' script: " + e.getMessage());
        } finally {
            secret = null;
        }
    }

    void send(Message message) throws PgException {
        try {
            channel.send(message);
        } catch (IOException e) {
            throw failure(e);
        }
    }

    void send(io.extensa.protocol.wire.MessageType type, io.extensa.protocol.wire.PayloadBuilder payload)
            throws PgException {
        try {
            channel.send(type, payload);
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /** The next message from the satellite; a connection that ends early is a failure. */
    Message read() throws PgException {
        Message m;
        try {
            m = channel.read();
        } catch (IOException e) {
            throw failure(e);
        }
        if (m == null) {
            throw failure(null);
        }
        return m;
    }

    /** Stops the satellite now (CancelRequest, client gone). Safe from any thread. */
    void cancel() {
        cancelled = true;
        ScheduledFuture<?> limit = statementTimer;
        if (limit != null && !timedOut) {
            limit.cancel(false);
        }
        try {
            job.cancel();
        } catch (IOException ignored) {
            // closing the job below kills it as well
        }
        channel.close();
    }

    boolean cancelled() {
        return cancelled;
    }

    /** The satellite stopped talking: say why, with its exit status and last output when known. */
    PgException failure(IOException cause) {
        if (cancelled) {
            return cancelledError();
        }
        Optional<Exited> exit = exitInfo(Duration.ofSeconds(2));
        if (launchpadLost) {
            return launchpadRestarted();
        }
        if (exit.isPresent() && exit.get().reason() == io.extensa.protocol.launch.ExitReason.OOM) {
            return withTail(PoolAdmission.memoryKilled(language, job.pid(), pool, exit.get()), exit.get());
        }
        String what = exit.map(ScriptJob::describe).orElse(
                "stopped answering" + (cause == null ? "" : " (" + cause.getMessage() + ")"));
        PgException e = new PgException(SqlState.SATELLITE_FAILED, "the '" + language + "' runtime (pid " + job.pid()
                + ") " + what + " during execution of 'sp_execute_external_script'");
        return exit.map(x -> withTail(e, x)).orElse(e);
    }

    private Optional<Exited> exitInfo(Duration wait) {
        try {
            return job.awaitExit(wait);
        } catch (IOException e) {
            if (isLaunchpadLoss(e)) {
                launchpadLost = true;
            }
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private void throwIfCancelled() throws PgException {
        if (cancelled) {
            throw cancelledError();
        }
    }

    private PgException cancelledError() {
        return timedOut ? deadline.expired()
                : new PgException(SqlState.QUERY_CANCELED, "canceling statement due to user request");
    }

    private static String describe(Exited exit) {
        return switch (exit.reason()) {
            case TIMEOUT -> "was stopped: the call exceeded its time limit";
            case OOM -> "was killed: it exceeded its memory limit";
            case CANCELLED -> "was cancelled";
            default -> exit.signalled() ? "was killed by signal " + exit.signal()
                    : "exited with code " + exit.exitCode();
        };
    }

    private static PgException withTail(PgException e, Exited exit) {
        String tail = exit.stderrTail();
        if (tail == null || tail.isBlank()) {
            return e;
        }
        return new PgException(e.fields().withDetail("last output of the runtime:\n" + tail.strip()));
    }

    /** Closes the satellite's connection: it exits, and its job ends with it; {@link #close} does the rest. */
    void hangUp() {
        ScheduledFuture<?> limit = statementTimer;
        if (limit != null) {
            limit.cancel(false);
        }
        channel.close();
    }

    @Override
    public void close() {
        hangUp();
        job.close();
        var l = takeBoundLoopback();
        if (l != null) {
            l.close();
        }
    }

    static ErrorFields notice(String severity, String sqlState, String text) {
        return ErrorFields.notice(severity, sqlState, text);
    }
}
