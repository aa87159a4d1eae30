package io.extensa.server.metrics;

import io.extensa.engine.EngineServices;
import io.extensa.engine.monitor.MonitorWriter;
import io.extensa.engine.monitor.RequestRegistry;
import io.extensa.engine.monitor.RequestState;
import io.extensa.engine.monitor.ResourcePoolUsage;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Prometheus text-format metrics on {@code http://127.0.0.1:<metrics.port>/metrics} (loopback
 * only; off unless {@code metrics.port} is set): the execution counters of
 * sys.dm_external_script_execution_stats since this server started, latency histograms, and gauges
 * of live requests and pools.
 */
public final class MetricsEndpoint implements RequestRegistry.Listener, AutoCloseable {

    public static final String HOST = "127.0.0.1";
    private static final double[] LATENCY_BOUNDS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter executions;
    private final Counter errors;
    private final Counter cancelled;
    private final Counter parallel;
    private final Counter streaming;
    private final Counter loopback;
    private final Counter executionSeconds;
    private final Counter rowsIn;
    private final Counter rowsOut;
    private final Histogram latency;
    private final HTTPServer server;

    private MetricsEndpoint(EngineServices services, int port) throws IOException {
        executions = counter("extensa_script_executions", "Total Executions: script requests that ended");
        errors = counter("extensa_script_execution_errors", "Execution Errors: requests that failed");
        cancelled = counter("extensa_script_cancellations", "requests cancelled by the client");
        parallel = counter("extensa_script_parallel_executions", "Parallel Executions");
        streaming = counter("extensa_script_streaming_executions", "Streaming Executions");
        loopback = counter("extensa_script_implied_auth_logins", "Implied Auth. Logins (loopback connections)");
        executionSeconds = counter("extensa_script_execution_seconds", "Total Execution Time, in seconds");
        rowsIn = counter("extensa_script_rows_in", "rows sent to scripts");
        rowsOut = counter("extensa_script_rows_out", "rows scripts returned");
        latency = Histogram.builder().name("extensa_script_duration_seconds")
                .help("wall-clock time of script requests, from start to end").labelNames("language", "outcome")
                .classicOnly().classicUpperBounds(LATENCY_BOUNDS).register(registry);
        RequestRegistry requests = services.requests();
        GaugeWithCallback.builder().name("extensa_script_requests").help("script requests running now")
                .labelNames("language", "state").callback(cb -> {
                    Map<List<String>, Integer> counts = new HashMap<>();
                    for (RequestState s : RequestState.values()) {
                        counts.put(List.of("", s.label()), 0);
                    }
                    for (RequestRegistry.Handle h : requests.live()) {
                        counts.merge(List.of(h.info().language(), h.state().label()), 1, Integer::sum);
                    }
                    counts.forEach((labels, n) -> {
                        if (!labels.get(0).isEmpty()) {
                            cb.call(n, labels.get(0), labels.get(1));
                        }
                    });
                }).register(registry);
        GaugeWithCallback.builder().name("extensa_external_pool_active_processes")
                .help("satellite processes running per external resource pool").labelNames("pool")
                .callback(cb -> pools(services).forEach(p -> cb.call(p.activeProcesses(), p.name())))
                .register(registry);
        GaugeWithCallback.builder().name("extensa_external_pool_queued_requests")
                .help("requests waiting for a place in their pool").labelNames("pool")
                .callback(cb -> pools(services).forEach(p -> cb.call(p.queued(), p.name()))).register(registry);
        GaugeWithCallback.builder().name("extensa_external_pool_peak_memory_bytes")
                .help("largest resident memory of one satellite seen per pool").labelNames("pool")
                .callback(cb -> pools(services).forEach(p -> cb.call(p.peakMemoryKb() * 1024.0, p.name())))
                .register(registry);
        requests.addListener(this);
        server = HTTPServer.builder().hostname(HOST).port(port).registry(registry).buildAndStart();
    }

    /** Starts the endpoint; port 0 picks a free one (see {@link #port()}). */
    public static MetricsEndpoint start(EngineServices services, int port) throws IOException {
        return new MetricsEndpoint(services, port);
    }

    public int port() {
        return server.getPort();
    }

    private Counter counter(String name, String help) {
        return Counter.builder().name(name).help(help).labelNames("language").register(registry);
    }

    private static List<ResourcePoolUsage.Pool> pools(EngineServices services) {
        MonitorWriter monitor = services.monitor();
        return monitor == null ? List.of() : monitor.currentPools();
    }

    @Override
    public void began(RequestRegistry.Handle request) {
    }

    @Override
    public void ended(RequestRegistry.Handle request, RequestRegistry.Outcome outcome, RequestRegistry.Flags flags,
                      long elapsedNanos) {
        String language = request.info().language();
        double seconds = elapsedNanos / 1e9;
        executions.labelValues(language).inc();
        switch (outcome) {
            case ERROR -> errors.labelValues(language).inc();
            case CANCELLED -> cancelled.labelValues(language).inc();
            case OK -> {
            }
        }
        if (flags.parallel()) {
            parallel.labelValues(language).inc();
        }
        if (flags.streaming()) {
            streaming.labelValues(language).inc();
        }
        if (flags.loopbackLogin()) {
            loopback.labelValues(language).inc();
        }
        executionSeconds.labelValues(language).inc(seconds);
        rowsIn.labelValues(language).inc(request.rowsIn());
        rowsOut.labelValues(language).inc(request.rowsOut());
        latency.labelValues(language, outcome.name().toLowerCase(java.util.Locale.ROOT)).observe(seconds);
    }

    @Override
    public void close() {
        server.close();
    }
}
