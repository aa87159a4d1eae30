package io.extensa.engine.monitor;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The script requests running in this gateway, for sys.dm_external_script_requests, the execution
 * counters, the metrics endpoint and {@code extensa status}. Calls are cheap and never block on
 * I/O: listeners (the catalog writer, metrics) only queue or count.
 *
 * <pre>
 * RequestRegistry.Handle h = registry.begin(new RequestInfo(id, session, pid, user, db, "Python", "default", 1));
 * h.satellite(pid, worker);              // once the runtime is launched
 * h.state(RequestState.RUNNING);         // e.g. after a pool queue
 * h.degreeOfParallelism(4);              // parallel execution, when known
 * h.progress(rowsIn, rowsOut);           // any time; the writer publishes the latest values periodically
 * h.end(Outcome.OK, flags);              // exactly once (later calls are ignored)
 * </pre>
 */
public final class RequestRegistry {

    /** How a request ended. */
    public enum Outcome { OK, ERROR, CANCELLED }

    /** What kind of execution it was, for the counters. */
    public record Flags(boolean parallel, boolean streaming, boolean loopbackLogin) {
        public static final Flags NONE = new Flags(false, false, false);
    }

    /** Notified on begin and end, on the caller's thread: must not block. */
    public interface Listener {
        void began(Handle request);

        void ended(Handle request, Outcome outcome, Flags flags, long elapsedNanos);
    }

    private final Map<String, Handle> live = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public Handle begin(RequestInfo info) {
        Handle h = new Handle(this, info);
        live.put(info.requestId(), h);
        for (Listener l : listeners) {
            l.began(h);
        }
        return h;
    }

    /** The requests running now. */
    public Collection<Handle> live() {
        return List.copyOf(live.values());
    }

    private void ended(Handle h, Outcome outcome, Flags flags) {
        live.remove(h.info().requestId(), h);
        long elapsed = System.nanoTime() - h.startedNanos;
        for (Listener l : listeners) {
            l.ended(h, outcome, flags, elapsed);
        }
    }

    /** One live request; fields are written by the request's thread and read by the writer. */
    public static final class Handle {
        private final RequestRegistry registry;
        private final RequestInfo info;
        private final long startedNanos = System.nanoTime();
        private final Instant started = Instant.now();
        private volatile RequestState state = RequestState.RUNNING;
        private volatile int degreeOfParallelism;
        private volatile long rowsIn;
        private volatile long rowsOut;
        private volatile long satellitePid;
        private volatile String worker;
        private volatile boolean ended;

        private Handle(RequestRegistry registry, RequestInfo info) {
            this.registry = registry;
            this.info = info;
            this.degreeOfParallelism = info.degreeOfParallelism();
        }

        public RequestInfo info() {
            return info;
        }

        public Instant started() {
            return started;
        }

        public RequestState state() {
            return state;
        }

        public int degreeOfParallelism() {
            return degreeOfParallelism;
        }

        public long rowsIn() {
            return rowsIn;
        }

        public long rowsOut() {
            return rowsOut;
        }

        public long satellitePid() {
            return satellitePid;
        }

        public String worker() {
            return worker;
        }

        public boolean isEnded() {
            return ended;
        }

        public void state(RequestState state) {
            this.state = state;
        }

        public void degreeOfParallelism(int degree) {
            this.degreeOfParallelism = degree;
        }

        public void progress(long rowsIn, long rowsOut) {
            this.rowsIn = rowsIn;
            this.rowsOut = rowsOut;
        }

        /** The (first) satellite's pid and OS account; memory is read from it. */
        public void satellite(long pid, String worker) {
            this.satellitePid = pid;
            this.worker = worker;
        }

        public void end(Outcome outcome, Flags flags) {
            if (ended) {
                return;
            }
            ended = true;
            registry.ended(this, outcome, flags);
        }
    }
}
