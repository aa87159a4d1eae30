package io.extensa.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.ProcessResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** pgbench -i, then 30 seconds of the default TPC-B-like workload with 8 clients: zero errors. */
class PgbenchThroughGatewayIT {

    @Test
    void eightClientsForThirtySecondsWithoutErrors() {
        ExtensaStack stack = ExtensaStack.get();
        Map<String, String> env = Map.of("PGPASSWORD", ExtensaStack.PASSWORD);
        List<String> conn = List.of("-h", "127.0.0.1", "-p", String.valueOf(stack.port()), "-U", "extensa");
        ProcessResult init = ExtensaStack.run(concat(List.of("pgbench", "-i", "-s", "2"), conn, List.of("extensa")),
                "", env, Duration.ofMinutes(3)).assertOk();
        assertThat(init.stderr()).contains("done");
        ProcessResult run = ExtensaStack.run(concat(List.of("pgbench", "-c", "8", "-j", "2", "-T", "30"), conn,
                List.of("extensa")), "", env, Duration.ofMinutes(3)).assertOk();
        Matcher failed = Pattern.compile("number of failed transactions: (\\d+)").matcher(run.stdout());
        Matcher processed = Pattern.compile("number of transactions actually processed: (\\d+)").matcher(run.stdout());
        assertThat(failed.find()).as(run.stdout()).isTrue();
        assertThat(failed.group(1)).isEqualTo("0");
        assertThat(processed.find()).isTrue();
        assertThat(Long.parseLong(processed.group(1))).isPositive();
        assertThat(run.stderr()).doesNotContain("ERROR").doesNotContain("aborted");
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        return java.util.Arrays.stream(parts).flatMap(List::stream).toList();
    }
}
