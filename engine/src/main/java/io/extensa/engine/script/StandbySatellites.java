package io.extensa.engine.script;

import io.extensa.engine.EngineServices;
import io.extensa.engine.catalog.ServerConfiguration;
import io.extensa.pgwire.PgException;
import io.extensa.protocol.launch.LaunchRequest;
import io.extensa.protocol.launch.LaunchedJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Satellites started ahead of a caller's next call: when a single call ends, the engine asks the
 * launchpad for one more satellite for the same caller, language, database, pool and libraries,
 * and keeps it connected but idle. The next matching call skips the launch and the connection
 * (most of a short call's time) and only waits for ACTIVATE, which takes the pool slot.
 *
 * <p>A standby has run no user code: it is a fresh process (a fork server's spare, sandboxed, as
 * its worker account) that has greeted the engine and waits for WELCOME. It takes no pool slot and
 * is not a request, so MAX_PROCESSES counts only satellites that run scripts. A standby serves
 * exactly one call of the same caller; it is closed, unused, after {@link #KEEP} or when the
 * engine stops. {@code standby satellites} (sp_configure) bounds how many exist at once, 0 turns
 * them off.
 */
public final class StandbySatellites implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StandbySatellites.class);
    private static final SecureRandom SECRETS = new SecureRandom();
    /** Well inside the satellites' 60 s wait for WELCOME. */
    static final Duration KEEP = Duration.ofSeconds(30);
    /** How often a call waiting for its standby to start looks for a CancelRequest. */
    private static final long CANCEL_POLL_MILLIS = 20;

    /** What a call must match to use a standby: everything its LAUNCH would carry but the job's own parts. */
    public record Key(String user, String database, String language, String pool, List<Path> libraries) {
        public Key {
            language = language.toLowerCase(Locale.ROOT);
            libraries = List.copyOf(libraries);
        }

        /** Same role, database, language and pool: all but the library search path. */
        boolean sameCaller(String user, String database, String language, String pool) {
            return this.user.equals(user) && this.database.equals(database)
                    && this.language.equalsIgnoreCase(language) && this.pool.equals(pool);
        }
    }

    /** One standby: launched, its satellite connected and proven by its secret, WELCOME held back. */
    static final class Standby {
        final Key key;
        final String jobId;
        final SatelliteChannel channel;
        volatile LaunchedJob job;
        volatile ScheduledFuture<?> expiry;
        /** Its job's loopback socket, bound ahead too; null when binding failed (the call binds its own). */
        volatile io.extensa.engine.loopback.LoopbackSocket.Bound loopback;
        /** Completes with true once the satellite has greeted, false when it will not. */
        final java.util.concurrent.CompletableFuture<Boolean> started = new java.util.concurrent.CompletableFuture<>();
        /** Guarded by the registry: a call took it while it was still starting. */
        boolean claimed;

        private Standby(Key key, String jobId, SatelliteChannel channel) {
            this.key = key;
            this.jobId = jobId;
            this.channel = channel;
        }

        boolean alive() {
            LaunchedJob j = job;
            return j != null && !j.isClosed() && !j.exit().isDone();
        }

        void cancelExpiry() {
            ScheduledFuture<?> e = expiry;
            if (e != null) {
                e.cancel(false);
            }
        }

        void close() {
            cancelExpiry();
            LaunchedJob j = job;
            if (j != null) {
                j.close();
            }
            channel.close();
            var l = loopback;
            if (l != null) {
                l.close();
            }
        }

        /** Hands the bound loopback socket to the call that took this standby. */
        io.extensa.engine.loopback.LoopbackSocket.Bound takeLoopback() {
            var l = loopback;
            loopback = null;
            return l;
        }
    }

    /** How long no standby is started for a key whose last one found its pool full. */
    static final Duration BUSY_PAUSE = Duration.ofSeconds(1);

    private final EngineServices services;
    /** Guarded by this: keys whose pool was full at their last activation, until when. */
    private final java.util.Map<Key, Long> busyUntil = new java.util.HashMap<>();
    /** Guarded by this: ready to use, oldest first. */
    private final Deque<Standby> ready = new ArrayDeque<>();
    /** Guarded by this: being launched. */
    private final List<Standby> starting = new ArrayList<>();
    private boolean closed;

    public StandbySatellites(EngineServices services) {
        this.services = services;
    }

    /**
     * A ready standby of this caller (its library search path not compared), taken for one call;
     * empty when none is ready (none is waited for). For a call that asks for its slot before its
     * permission check, which must come before the library search path is read.
     */
    Optional<Standby> takeReady(String user, String database, String language, String pool) {
        List<Standby> dead = new ArrayList<>();
        Standby found;
        synchronized (this) {
            found = removeReady(k -> k.sameCaller(user, database, language, pool), dead);
        }
        dead.forEach(Standby::close);
        if (found != null) {
            found.cancelExpiry();
        }
        return Optional.ofNullable(found);
    }

    /** Removes and returns the first live ready standby whose key is wanted; dead ones go to {@code dead}. */
    private Standby removeReady(java.util.function.Predicate<Key> wanted, List<Standby> dead) {
        Standby found = null;
        for (var it = ready.iterator(); it.hasNext(); ) {
            Standby s = it.next();
            if (!s.alive()) {
                it.remove();
                dead.add(s);
            } else if (found == null && wanted.test(s.key)) {
                it.remove();
                found = s;
            }
        }
        return found;
    }

    /**
     * A standby for {@code key}, taken for one call; empty when there is none. One still starting
     * is waited for (it was launched before this call came, so it is ready sooner than a new launch
     * would be), up to {@code wait} and while {@code cancelled} says false.
     */
    Optional<Standby> take(Key key, Duration wait, java.util.function.BooleanSupplier cancelled) {
        List<Standby> dead = new ArrayList<>();
        Standby found;
        Standby pending = null;
        synchronized (this) {
            found = removeReady(key::equals, dead);
            if (found == null) {
                pending = starting.stream().filter(s -> !s.claimed && s.key.equals(key)).findFirst().orElse(null);
                if (pending != null) {
                    pending.claimed = true;
                }
            }
        }
        dead.forEach(Standby::close);
        if (found != null) {
            found.cancelExpiry();
            return Optional.of(found);
        }
        if (pending == null) {
            return Optional.empty();
        }
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (!cancelled.getAsBoolean() && System.nanoTime() < deadline) {
                try {
                    if (pending.started.get(CANCEL_POLL_MILLIS, TimeUnit.MILLISECONDS) && pending.alive()) {
                        return Optional.of(pending);
                    }
                    break;
                } catch (java.util.concurrent.TimeoutException e) {
                    // still starting
                }
            }
        } catch (java.util.concurrent.ExecutionException e) {
            // failed: the call launches its own
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pending.close();
        return Optional.empty();
    }

    /**
     * A standby for {@code key} found no free slot in its pool at its activation: while the pool is
     * that busy, standbys would only be started to be ended again, so none is for {@link #BUSY_PAUSE}.
     */
    void poolBusy(Key key) {
        synchronized (this) {
            busyUntil.put(key, System.nanoTime() + BUSY_PAUSE.toNanos());
        }
    }

    /**
     * A call for {@code key} ended: starts a standby for the caller's next one, in the background,
     * unless one is there or on its way, or {@code standby satellites} are all in use.
     */
    void replenish(Key key) {
        int limit = limit();
        Standby standby;
        synchronized (this) {
            Long busy = busyUntil.get(key);
            if (busy != null && System.nanoTime() - busy >= 0) {
                busyUntil.remove(key);
                busy = null;
            }
            if (closed || limit <= 0 || busy != null || ready.size() + starting.size() >= limit
                    || ready.stream().anyMatch(s -> s.key.equals(key))
                    || starting.stream().anyMatch(s -> s.key.equals(key))) {
                return;
            }
            String jobId = services.newJobId();
            try {
                standby = new Standby(key, jobId, SatelliteChannel.listen(
                        services.config().jobSocketDirectory().resolve(jobId + ".sock")));
            } catch (IOException e) {
                log.debug("no standby satellite: cannot create its job socket: {}", e.getMessage());
                return;
            }
            starting.add(standby);
        }
        Thread.ofVirtual().name("standby-" + standby.jobId).start(() -> start(standby));
    }

    /** sp_configure 'standby satellites'; 0 (none) when the catalog cannot say. */
    private int limit() {
        try {
            return services.configuration().inUse(ServerConfiguration.STANDBY_SATELLITES);
        } catch (PgException | RuntimeException e) {
            return 0;
        }
    }

    private void start(Standby standby) {
        byte[] secret = new byte[LaunchRequest.SECRET_BYTES];
        SECRETS.nextBytes(secret);
        boolean ok = false;
        try {
            Key key = standby.key;
            standby.job = services.launchpad().start(LaunchRequest.builder(standby.jobId, key.language())
                    .socketPath(standby.channel.socketPath()).secret(secret).user(key.user())
                    .database(key.database()).pool(key.pool()).libraryPaths(key.libraries()).standby(true)
                    .build(), this::isClosed);
            standby.job.awaitLaunched(services.launchpad().replyTimeout());
            try {
                standby.loopback = io.extensa.engine.loopback.LoopbackSocket.bind(standby.job.workDir());
            } catch (IOException e) {
                log.debug("standby satellite {}: no loopback socket bound ahead: {}", standby.jobId, e.getMessage());
            }
            standby.channel.acceptHello(standby.jobId, secret, standby.job.exit(), services.scheduler(),
                    services.config().satelliteConnectTimeout());
            ok = true;
        } catch (IOException | RuntimeException e) {
            log.debug("standby satellite {} not started: {}", standby.jobId, e.toString());
        } finally {
            java.util.Arrays.fill(secret, (byte) 0);
            synchronized (this) {
                starting.remove(standby);
                if (!ok || closed) {
                    ok = false;
                } else if (!standby.claimed) {
                    ready.addLast(standby);
                    standby.expiry = services.scheduler().schedule(() -> expire(standby), KEEP.toMillis(),
                            TimeUnit.MILLISECONDS);
                }
            }
            if (!ok) {
                standby.close();
            }
            standby.started.complete(ok);
        }
    }

    private void expire(Standby standby) {
        boolean removed;
        synchronized (this) {
            removed = ready.remove(standby);
        }
        if (removed) {
            log.debug("standby satellite {} closed unused after {} s", standby.jobId, KEEP.toSeconds());
            standby.close();
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Closes ready standbys beyond {@code standby satellites} (after RECONFIGURE), or all of them
     * ({@code all}: after ALTER RESOURCE GOVERNOR RECONFIGURE, which may route their callers
     * elsewhere), and forgets which pools were found full.
     */
    public void trim(boolean all) {
        int limit = all ? 0 : limit();
        List<Standby> excess = new ArrayList<>();
        synchronized (this) {
            busyUntil.clear();
            while (ready.size() > limit) {
                excess.add(ready.removeFirst());
            }
        }
        excess.forEach(Standby::close);
    }

    /** Closes every standby; later calls launch as usual. */
    @Override
    public void close() {
        List<Standby> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(ready);
            all.addAll(starting);
            ready.clear();
        }
        all.forEach(Standby::close);
    }
}
