package io.extensa.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.copy.CopyManager;

/** pgjdbc through the gateway: simple and prepared statements, batches, COPY, cancel, transactions, NOTIFY. */
class JdbcThroughGatewayIT {

    private static ExtensaStack stack;

    @BeforeAll
    static void start() throws SQLException {
        stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS jdbc_items");
            s.execute("CREATE TABLE jdbc_items (id int PRIMARY KEY, name text, score float8)");
        }
    }

    @Test
    void simpleAndPreparedStatementsIncludingServerSidePrepared() throws SQLException {
        try (Connection c = stack.connect("prepareThreshold=2"); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 42 AS answer, 'x'::text AS t, NULL::int AS n")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt("answer")).isEqualTo(42);
                assertThat(rs.getString("t")).isEqualTo("x");
                assertThat(rs.getObject("n")).isNull();
            }
            try (PreparedStatement p = c.prepareStatement("SELECT ?::int * 2, ?::text || '!'")) {
                for (int i = 0; i < 10; i++) {
                    p.setInt(1, i);
                    p.setString(2, "v" + i);
                    try (ResultSet rs = p.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getInt(1)).isEqualTo(2 * i);
                        assertThat(rs.getString(2)).isEqualTo("v" + i + "!");
                    }
                }
            }
        }
    }

    @Test
    void batchesWithAndWithoutRewriting() throws SQLException {
        for (String mode : new String[] {"", "reWriteBatchedInserts=true"}) {
            try (Connection c = stack.connect(mode); Statement s = c.createStatement()) {
                s.execute("DELETE FROM jdbc_items WHERE id >= 1000");
                try (PreparedStatement p = c.prepareStatement("INSERT INTO jdbc_items VALUES (?, ?, ?)")) {
                    for (int i = 0; i < 500; i++) {
                        p.setInt(1, 1000 + i);
                        p.setString(2, "b" + i);
                        p.setDouble(3, i / 2.0);
                        p.addBatch();
                    }
                    p.executeBatch();
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*), sum(score) FROM jdbc_items WHERE id >= 1000")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(500);
                    assertThat(rs.getDouble(2)).isEqualTo(62375.0);
                }
            }
        }
    }

    @Test
    void copyInAndOutWithCopyManager() throws Exception {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM jdbc_items WHERE id BETWEEN 5000 AND 5999");
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            StringBuilder data = new StringBuilder();
            for (int i = 5000; i < 6000; i++) {
                data.append(i).append("\tcopied ").append(i).append("\t").append(i % 7).append('\n');
            }
            long in = copy.copyIn("COPY jdbc_items FROM STDIN", new StringReader(data.toString()));
            assertThat(in).isEqualTo(1000);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long outRows = copy.copyOut("COPY (SELECT * FROM jdbc_items WHERE id BETWEEN 5000 AND 5999 ORDER BY id) "
                    + "TO STDOUT", out);
            assertThat(outRows).isEqualTo(1000);
            assertThat(out.toString()).isEqualTo(data.toString());
        }
    }

    @Test
    void statementCancelStopsTheQueryAndTheConnectionStaysUsable() throws Exception {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(800);
                    s.cancel();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long started = System.nanoTime();
            assertThatThrownBy(() -> s.execute("SELECT pg_sleep(30)"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("canceling statement due to user request");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void transactionsCommitAndRollBack() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO jdbc_items VALUES (-10, 'gone', 0)");
            c.rollback();
            s.execute("INSERT INTO jdbc_items VALUES (-11, 'kept', 0)");
            c.commit();
            assertThatThrownBy(() -> s.execute("SELECT 1/0")).hasMessageContaining("division by zero");
            assertThatThrownBy(() -> s.execute("SELECT 1")).hasMessageContaining("current transaction is aborted");
            c.rollback();
            try (ResultSet rs = s.executeQuery("SELECT string_agg(name, ',' ORDER BY id) FROM jdbc_items WHERE id < 0")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("kept");
            }
            c.setAutoCommit(true);
        }
    }

    @Test
    void listenNotifyAndNoticesArrive() throws Exception {
        try (Connection listener = stack.connect(); Connection sender = stack.connect();
             Statement ls = listener.createStatement(); Statement ss = sender.createStatement()) {
            ls.execute("LISTEN jdbc_channel");
            ss.execute("NOTIFY jdbc_channel, 'hello'");
            PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications(5000);
            assertThat(got).isNotNull();
            assertThat(got).extracting(PGNotification::getParameter).contains("hello");

            ss.execute("DO $$ BEGIN RAISE NOTICE 'careful: %', 7; END $$");
            SQLWarning w = ss.getWarnings();
            assertThat(w != null).as("a warning").isTrue();
            assertThat(w.getMessage()).contains("careful: 7");
        }
    }

    @Test
    void largeResultsStreamWithAFetchSize() throws SQLException {
        try (Connection c = stack.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.setFetchSize(1000);
                long sum = 0;
                int rows = 0;
                try (ResultSet rs = s.executeQuery("SELECT g, repeat('x', 100) FROM generate_series(1, 200000) g")) {
                    while (rs.next()) {
                        sum += rs.getInt(1);
                        rows++;
                    }
                }
                assertThat(rows).isEqualTo(200_000);
                assertThat(sum).isEqualTo(200_000L * 200_001 / 2);
            }
            c.commit();
        }
    }

    @Test
    void manyConnectionsAtOnce() throws Exception {
        CompletableFuture<?>[] all = new CompletableFuture<?>[40];
        for (int i = 0; i < all.length; i++) {
            int n = i;
            all[i] = CompletableFuture.runAsync(() -> {
                try (Connection c = stack.connect(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT " + n + " + 1")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(n + 1);
                } catch (SQLException e) {
                    throw new RuntimeException(e);
                }
            });
        }
        CompletableFuture.allOf(all).get(60, TimeUnit.SECONDS);
    }
}
