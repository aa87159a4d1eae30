package io.extensa.engine.monitor;

import io.extensa.engine.catalog.Catalog;
import io.extensa.pgwire.PgException;
import io.extensa.protocol.launch.LaunchpadClient;
import io.extensa.protocol.launch.LaunchpadStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the monitoring tables in step with this gateway, off the requests' path: requests only put
 * an event in a bounded queue; one thread, on its own catalog connection, inserts a row when a
 * request begins, deletes it when it ends, refreshes rows in/out, state and memory every second,
 * adds the execution counters to their persisted totals every {@value #STATS_FLUSH_MS} ms and at
 * close, and refreshes pool usage and the language list. A full queue is not an error: the writer
 * then resynchronizes the whole table from the registry. Rows of requests whose backend no longer
 * exists (a gateway that crashed) are removed at start and every half minute.
 */
public final class MonitorWriter implements RequestRegistry.Listener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MonitorWriter.class);
    private static final int QUEUE_CAPACITY = 4096;
    private static final long REFRESH_MS = 1000;
    /**
     * How long a new request waits before it is published: one that ends within it is never
     * written (nor deleted), which spares the catalog two statements per short call and the
     * call the CPU they cost on a small machine. Longer than a warm trivial call, far shorter than
     * anyone watching the view.
     */
    private static final long PUBLISH_DELAY_MS = 50;
    static final long STATS_FLUSH_MS = 2000;
    private static final long CLEANUP_MS = 30_000;
    /** Fork servers come up seconds after the server starts (and again after a restart): looked at often, written on change. */
    private static final long LANGUAGES_MS = 2_000;

    sealed interface Event {
        String requestId();
    }

    record Began(RequestRegistry.Handle request) implements Event {
        @Override
        public String requestId() {
            return request.info().requestId();
        }
    }

    record Ended(String requestId) implements Event {
    }

    private final Catalog catalog;
    private final RequestRegistry registry;
    private final ExecutionStats stats;
    private final ResourcePoolUsage pools;
    private final LaunchpadClient launchpad;
    private final ProcessSamples samples = new ProcessSamples();
    private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final int gatewayPid = (int) ProcessHandle.current().pid();
    private final Thread thread;
    private final Map<String, long[]> published = new HashMap<>();
    private volatile boolean resync = true;
    private volatile boolean running = true;
    /** What sys.external_languages shows, so an unchanged launchpad costs no write. */
    private Map<String, Boolean> publishedLanguages = Map.of();

    public MonitorWriter(Catalog catalog, RequestRegistry registry, ExecutionStats stats, ResourcePoolUsage pools,
                         LaunchpadClient launchpad) {
        this.catalog = catalog;
        this.registry = registry;
        this.stats = stats;
        this.pools = pools;
        this.launchpad = launchpad;
        registry.addListener(this);
        this.thread = new Thread(this::run, "extensa-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    public ProcessSamples samples() {
        return samples;
    }

    /** The pools' limits and usage now (for metrics and status). */
    public List<ResourcePoolUsage.Pool> currentPools() {
        return pools.pools(registry.live(), samples);
    }

    @Override
    public void began(RequestRegistry.Handle request) {
        if (!queue.offer(new Began(request))) {
            resync = true;
        }
    }

    @Override
    public void ended(RequestRegistry.Handle request, RequestRegistry.Outcome outcome, RequestRegistry.Flags flags,
                      long elapsedNanos) {
        if (!queue.offer(new Ended(request.info().requestId()))) {
            resync = true;
        }
    }

    private void run() {
        long lastRefresh = 0;
        long lastFlush = System.currentTimeMillis();
        long lastCleanup = 0;
        long lastLanguages = 0;
        while (running) {
            try {
                Event first = queue.poll(REFRESH_MS / 4, TimeUnit.MILLISECONDS);
                List<Event> events = new ArrayList<>();
                if (first != null) {
                    if (first instanceof Began) {
                        Thread.sleep(PUBLISH_DELAY_MS);
                    }
                    events.add(first);
                    queue.drainTo(events, 256);
                    events = withoutShortRequests(events);
                }
                long now = System.currentTimeMillis();
                if (now - lastCleanup >= CLEANUP_MS) {
                    cleanup();
                    lastCleanup = now;
                }
                if (now - lastLanguages >= LANGUAGES_MS) {
                    languages();
                    lastLanguages = now;
                }
                if (resync) {
                    resync = false;
                    events.clear();
                    resynchronize();
                }
                for (Event e : events) {
                    apply(e);
                }
                if (now - lastRefresh >= REFRESH_MS) {
                    refresh();
                    lastRefresh = now;
                }
                if (now - lastFlush >= STATS_FLUSH_MS) {
                    flushStats();
                    lastFlush = now;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (PgException | RuntimeException e) {
                log.warn("monitoring tables not updated: {}", e.getMessage());
                resync = true;
                sleepQuietly();
            }
        }
    }

    /** Drops the Began and Ended of each request that began and ended within the batch. */
    static List<Event> withoutShortRequests(List<Event> events) {
        java.util.Set<String> began = new java.util.HashSet<>();
        java.util.Set<String> ended = new java.util.HashSet<>();
        for (Event e : events) {
            (e instanceof Began ? began : ended).add(e.requestId());
        }
        began.retainAll(ended);
        List<Event> kept = new ArrayList<>(events);
        kept.removeIf(e -> began.contains(e.requestId()));
        return kept;
    }

    private void apply(Event e) throws PgException {
        switch (e) {
            case Began b -> insert(b.request());
            case Ended d -> {
                catalog.query("DELETE FROM extensa_catalog.script_requests WHERE request_id = $1", d.requestId());
                published.remove(d.requestId());
            }
        }
    }

    private void insert(RequestRegistry.Handle h) throws PgException {
        RequestInfo i = h.info();
        if (h.isEnded()) {
            return;
        }
        catalog.query("""
                INSERT INTO extensa_catalog.script_requests (request_id, gateway_pid, session_id, backend_pid, user_name,
                    database_name, language, pool, degree_of_parallelism, state, started, rows_in, rows_out)
                VALUES ($1, $2::int, $3::bigint, $4::int, $5, $6, $7, $8, $9::int, $10, $11::timestamptz, $12::bigint,
                    $13::bigint)
                ON CONFLICT (request_id) DO NOTHING""", i.requestId(), String.valueOf(gatewayPid),
                String.valueOf(i.sessionId()), String.valueOf(i.backendPid()), i.user(), i.database(), i.language(),
                i.pool(), String.valueOf(h.degreeOfParallelism()), h.state().label(), h.started().toString(),
                String.valueOf(h.rowsIn()), String.valueOf(h.rowsOut()));
        published.put(i.requestId(), fingerprint(h));
    }

    /** Rows in/out, state, degree and memory of live requests that changed since last published. */
    private void refresh() throws PgException {
        var live = registry.live();
        samples.sample(live);
        for (RequestRegistry.Handle h : live) {
            long[] now = fingerprint(h);
            long[] before = published.get(h.info().requestId());
            if (before == null || java.util.Arrays.equals(before, now)) {
                continue;
            }
            catalog.query("""
                    UPDATE extensa_catalog.script_requests SET rows_in = $2::bigint, rows_out = $3::bigint, state = $4,
                        degree_of_parallelism = $5::int, memory_kb = $6::bigint, worker = $7
                    WHERE request_id = $1""", h.info().requestId(), String.valueOf(h.rowsIn()),
                    String.valueOf(h.rowsOut()), h.state().label(), String.valueOf(h.degreeOfParallelism()),
                    now[4] < 0 ? null : String.valueOf(now[4]), h.worker());
            published.put(h.info().requestId(), now);
        }
        for (ResourcePoolUsage.Pool p : pools.pools(live, samples)) {
            catalog.query("""
                    INSERT INTO extensa_catalog.resource_pool_usage (gateway_pid, pool_id, name, max_cpu_percent,
                        max_memory_percent, max_processes, active_processes_count, queued_count, peak_memory_kb,
                        total_cpu_user_ms, total_cpu_kernel_ms, updated)
                    VALUES ($1::int, $2::int, $3, $4::int, $5::int, $6::int, $7::int, $8::int, $9::bigint, $10::bigint,
                        $11::bigint, now())
                    ON CONFLICT (gateway_pid, name) DO UPDATE SET pool_id = excluded.pool_id,
                        max_cpu_percent = excluded.max_cpu_percent, max_memory_percent = excluded.max_memory_percent,
                        max_processes = excluded.max_processes, active_processes_count = excluded.active_processes_count,
                        queued_count = excluded.queued_count, peak_memory_kb = excluded.peak_memory_kb,
                        total_cpu_user_ms = excluded.total_cpu_user_ms, total_cpu_kernel_ms = excluded.total_cpu_kernel_ms,
                        updated = now()""", String.valueOf(gatewayPid), String.valueOf(p.id()), p.name(),
                    String.valueOf(p.maxCpuPercent()), String.valueOf(p.maxMemoryPercent()),
                    String.valueOf(p.maxProcesses()), String.valueOf(p.activeProcesses()), String.valueOf(p.queued()),
                    String.valueOf(p.peakMemoryKb()), String.valueOf(p.cpuUserMs()), String.valueOf(p.cpuKernelMs()));
        }
    }

    private long[] fingerprint(RequestRegistry.Handle h) {
        ProcessSamples.Sample s = samples.of(h.info().requestId());
        return new long[] {h.rowsIn(), h.rowsOut(), h.state().ordinal(), h.degreeOfParallelism(),
                s == null ? -1 : s.rssKb(), h.worker() == null ? 0 : h.worker().hashCode()};
    }

    /** The table holds exactly this gateway's live requests again. */
    private void resynchronize() throws PgException {
        var live = registry.live();
        catalog.query("DELETE FROM extensa_catalog.script_requests WHERE gateway_pid = $1::int AND NOT (request_id = ANY "
                + "($2::text[]))", String.valueOf(gatewayPid), textArray(live.stream()
                .map(h -> h.info().requestId()).toList()));
        published.keySet().retainAll(live.stream().map(h -> h.info().requestId()).toList());
        for (RequestRegistry.Handle h : live) {
            insert(h);
        }
    }

    /** Rows whose backend is gone belong to no live request (their gateway crashed or was killed). */
    private void cleanup() throws PgException {
        catalog.query("""
                DELETE FROM extensa_catalog.script_requests r WHERE NOT EXISTS
                    (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.pid = r.backend_pid)""");
        catalog.query("DELETE FROM extensa_catalog.resource_pool_usage WHERE updated < now() - interval '1 minute'");
    }

    private void languages() throws PgException {
        LaunchpadStatus status;
        try {
            status = launchpad.status();
        } catch (IOException e) {
            return;
        }
        Map<String, Boolean> current = new TreeMap<>();
        status.languages().forEach(l -> current.put(l.name(), l.warm()));
        if (current.equals(publishedLanguages)) {
            return;
        }
        List<String> names = new ArrayList<>();
        for (LaunchpadStatus.LanguageInfo l : status.languages()) {
            names.add(l.name());
            int id = switch (l.name().toLowerCase(java.util.Locale.ROOT)) {
                case "r" -> 1;
                case "python" -> 2;
                default -> 3 + Math.floorMod(l.name().toLowerCase(java.util.Locale.ROOT).hashCode(), 1000);
            };
            catalog.query("""
                    INSERT INTO extensa_catalog.external_languages (name, language_id, warm, updated)
                    VALUES ($1, $2::int, $3::boolean, now())
                    ON CONFLICT (name) DO UPDATE SET warm = excluded.warm, updated = now()""", l.name(),
                    String.valueOf(id), String.valueOf(l.warm()));
        }
        catalog.query("DELETE FROM extensa_catalog.external_languages WHERE NOT (name = ANY ($1::text[]))", textArray(names));
        publishedLanguages = current;
    }

    private void flushStats() throws PgException {
        Map<String, Map<String, Long>> increments = stats.drain();
        if (increments.isEmpty()) {
            return;
        }
        StringBuilder json = new StringBuilder("[");
        increments.forEach((language, counters) -> counters.forEach((name, delta) -> {
            json.append(json.length() > 1 ? "," : "").append("{\"l\":\"").append(language.replace("\"", ""))
                    .append("\",\"c\":\"").append(name).append("\",\"v\":").append(delta).append('}');
        }));
        json.append(']');
        try {
            catalog.query("""
                    INSERT INTO extensa_catalog.execution_stats AS s (language, counter_name, counter_value)
                    SELECT x.l, x.c, x.v FROM json_to_recordset($1::json) AS x(l text, c text, v bigint)
                    ON CONFLICT (language, counter_name) DO UPDATE SET counter_value = s.counter_value + excluded.counter_value""",
                    json.toString());
        } catch (PgException | RuntimeException e) {
            stats.restore(increments);
            throw e;
        }
    }

    private static String textArray(List<String> values) {
        StringBuilder a = new StringBuilder("{");
        for (int k = 0; k < values.size(); k++) {
            a.append(k == 0 ? "" : ",").append('"').append(values.get(k).replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"');
        }
        return a.append('}').toString();
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(REFRESH_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops the thread, writes the last counters and removes this gateway's rows. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            flushStats();
            catalog.query("DELETE FROM extensa_catalog.script_requests WHERE gateway_pid = $1::int", String.valueOf(gatewayPid));
            catalog.query("DELETE FROM extensa_catalog.resource_pool_usage WHERE gateway_pid = $1::int",
                    String.valueOf(gatewayPid));
        } catch (PgException | RuntimeException e) {
            log.warn("monitoring tables not cleaned at shutdown: {}", e.getMessage());
        }
        catalog.close();
    }
}
