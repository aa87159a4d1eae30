package io.extensa.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** psql through the gateway: meta-commands, \copy, multi-statement strings, Ctrl-C. */
class PsqlThroughGatewayIT {

    private static ExtensaStack stack;

    @BeforeAll
    static void start() {
        stack = ExtensaStack.get();
        stack.psql("", "-c", "DROP TABLE IF EXISTS psql_items; CREATE TABLE psql_items (id int PRIMARY KEY, name text)")
                .assertOk();
    }

    @Test
    void metaCommandsWork() {
        assertThat(stack.psql("", "-c", "\\l").assertOk().stdout()).contains("extensa").contains("template1");
        assertThat(stack.psql("", "-c", "\\dt").assertOk().stdout()).contains("psql_items");
        assertThat(stack.psql("", "-c", "\\d psql_items").assertOk().stdout())
                .contains("id").contains("integer").contains("psql_items_pkey");
    }

    @Test
    void copyInAndOutThroughTheClient() throws Exception {
        Path in = Files.createTempFile("items", ".csv");
        Path out = Files.createTempFile("items-out", ".csv");
        StringBuilder csv = new StringBuilder();
        for (int i = 1; i <= 5000; i++) {
            csv.append(i).append(",name ").append(i).append('\n');
        }
        Files.writeString(in, csv);
        stack.psql("", "-c", "TRUNCATE psql_items").assertOk();
        ProcessResult copied = stack.psql("", "-c", "\\copy psql_items FROM '" + in + "' WITH (FORMAT csv)").assertOk();
        assertThat(copied.stdout()).contains("COPY 5000");
        stack.psql("", "-c", "\\copy (SELECT * FROM psql_items ORDER BY id) TO '" + out + "' WITH (FORMAT csv)").assertOk();
        assertThat(Files.readString(out)).isEqualTo(csv.toString());
    }

    @Test
    void multiStatementStringAndErrorsBehaveLikePostgres() {
        ProcessResult r = stack.psql("", "-c", "SELECT 1 AS a; SELECT 2 AS b").assertOk();
        assertThat(r.stdout()).contains("b").contains("2");
        ProcessResult bad = stack.psql("", "-c", "SELECT * FROM no_such_table");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.stderr()).contains("relation \"no_such_table\" does not exist");
    }

    @Test
    void scriptFromStdinWithTransactions() {
        ProcessResult r = stack.psql("""
                BEGIN;
                INSERT INTO psql_items VALUES (-1, 'rolled back');
                ROLLBACK;
                SELECT count(*) AS n FROM psql_items WHERE id = -1;
                """, "-A", "-t").assertOk();
        assertThat(r.stdout().strip()).endsWith("0");
    }

    @Test
    void ctrlCCancelsTheRunningQuery() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-h", "127.0.0.1", "-p", String.valueOf(stack.port()),
                "-U", "extensa", "-d", "extensa", "-c", "SELECT pg_sleep(60)");
        pb.environment().put("PGPASSWORD", ExtensaStack.PASSWORD);
        pb.redirectErrorStream(true);
        long started = System.nanoTime();
        Process psql = pb.start();
        Thread.sleep(1500);
        ExtensaStack.run(List.of("kill", "-INT", String.valueOf(psql.pid())), "", Map.of(), Duration.ofSeconds(5));
        assertThat(psql.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String output = new String(psql.getInputStream().readAllBytes());
        assertThat(output).contains("canceling statement due to user request");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }
}
