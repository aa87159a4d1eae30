package io.extensa.it.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.ProcessResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus endpoint scraped over HTTP on loopback, and {@code bin/extensa status} showing the
 * running job, the pool and the warm fork server while a script runs.
 */
class MetricsAndStatusIT {

    private static ExtensaStack stack;

    @BeforeAll
    static void start() {
        stack = ExtensaStack.get();
    }

    @Test
    void metricsCountExecutionsAndLatencyAndStatusShowsTheLiveJob() throws Exception {
        int port = stack.server().metricsPort().orElseThrow();
        double before = value(scrape(port), "extensa_script_executions_total{language=\"Python\"}");
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
            try (Connection c = stack.connect(); Statement s = c.createStatement()) {
                s.execute("EXEC sp_execute_external_script @language = N'Python', @script = N'import time\n"
                        + "time.sleep(3)'");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        String live = null;
        for (int k = 0; k < 100 && (live == null || !live.contains("state=\"running\"} 1")); k++) {
            Thread.sleep(100);
            live = scrape(port);
        }
        assertThat(live).contains("extensa_script_requests{language=\"Python\",state=\"running\"} 1");
        assertThat(live).contains("extensa_external_pool_active_processes{pool=\"default\"} 1");

        ProcessResult status = ExtensaStack.run(List.of(repository().resolve("bin/extensa").toString(), "status",
                "--data-dir", stack.dataDir().toString()), "", Map.of(), Duration.ofMinutes(1)).assertOk();
        assertThat(status.stdout()).contains("jobs").contains("1 running").contains("Python  extensa")
                .contains("default: 1 active").contains("metrics     http://127.0.0.1:" + port + "/metrics")
                .containsPattern("warm +Python fork server pid \\d+");

        running.get();
        String after = scrape(port);
        assertThat(value(after, "extensa_script_executions_total{language=\"Python\"}")).isEqualTo(before + 1);
        assertThat(after).contains("extensa_script_duration_seconds_bucket{language=\"Python\",outcome=\"ok\",le=\"5.0\"}")
                .contains("extensa_script_duration_seconds_count{language=\"Python\",outcome=\"ok\"}");
    }

    private static Path repository() {
        Path p = Path.of("").toAbsolutePath();
        return p.getFileName().toString().equals("it") ? p.getParent() : p;
    }

    private static String scrape(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
