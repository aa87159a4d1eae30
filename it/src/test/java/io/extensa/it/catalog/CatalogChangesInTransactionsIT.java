package io.extensa.it.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Statements that change Extensa's catalog take effect at once, so a transaction block's ROLLBACK
 * could not undo them: inside one they fail with 25001, as PostgreSQL's CREATE DATABASE does, and
 * change nothing; the block goes on as after any failed statement. Before, a rolled-back CREATE
 * EXTERNAL RESOURCE POOL stayed.
 */
class CatalogChangesInTransactionsIT {

    private static ExtensaStack stack;

    @BeforeAll
    static void clean() throws SQLException {
        stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            if (!pools(s).contains("tx_pool")) {
                return;
            }
            s.execute("DROP EXTERNAL RESOURCE POOL tx_pool");
        }
    }

    private static List<String> pools(Statement s) throws SQLException {
        List<String> names = new java.util.ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT name FROM sys.resource_governor_external_resource_pools")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static int configured(Statement s, String option) throws SQLException {
        try (ResultSet rs = s.executeQuery("EXEC sp_configure '" + option + "'")) {
            rs.next();
            return rs.getInt(4);
        }
    }

    @Test
    void everyCatalogChangeIsRefusedInATransactionBlockAndChangesNothing() throws Exception {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            int timeout = configured(s, "external scripts timeout");
            c.setAutoCommit(false);
            for (String statement : List.of(
                    "CREATE EXTERNAL RESOURCE POOL tx_pool WITH (MAX_PROCESSES = 2)",
                    "ALTER EXTERNAL RESOURCE POOL \"default\" WITH (MAX_PROCESSES = 3)",
                    "ALTER RESOURCE GOVERNOR RECONFIGURE",
                    "EXEC sp_configure 'external scripts timeout', " + (timeout + 7),
                    "RECONFIGURE",
                    "DROP EXTERNAL LIBRARY no_such_library")) {
                s.execute("SELECT 1");
                assertThatThrownBy(() -> s.execute(statement)).as(statement)
                        .isInstanceOfSatisfying(PSQLException.class, e -> {
                            assertThat(e.getSQLState()).isEqualTo("25001");
                            assertThat(e.getMessage()).contains("cannot run inside a transaction block");
                        });
                c.rollback();
            }
            c.setAutoCommit(true);
            assertThat(pools(s)).doesNotContain("tx_pool");
            assertThat(configured(s, "external scripts timeout")).isEqualTo(timeout);
            // reading the configuration is no change: it works in a block
            c.setAutoCommit(false);
            assertThat(configured(s, "external scripts timeout")).isEqualTo(timeout);
            c.commit();
        }
    }

    @Test
    void theFirstStatementOfAJdbcTransactionIsInTheBlockToo() throws Exception {
        // pgjdbc sends BEGIN in the same pipeline as the transaction's first statement
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> s.execute("CREATE EXTERNAL RESOURCE POOL tx_pool WITH (MAX_PROCESSES = 2)"))
                    .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25001"));
            c.rollback();
            c.setAutoCommit(true);
            assertThat(pools(s)).doesNotContain("tx_pool");
        }
    }

    @Test
    void psqlsRolledBackBlockLeavesNoPoolAndTheSessionGoesOn() {
        var result = stack.psql("""
                \\set ON_ERROR_STOP 0
                BEGIN;
                CREATE EXTERNAL RESOURCE POOL tx_pool WITH (MAX_PROCESSES = 2);
                ROLLBACK;
                SELECT count(*) AS pools FROM sys.resource_governor_external_resource_pools WHERE name = 'tx_pool';
                """);
        assertThat(result.stderr()).contains("CREATE EXTERNAL RESOURCE POOL cannot run inside a transaction block");
        assertThat(result.stdout()).contains(" pools \n-------\n     0\n");
    }

    @Test
    void outsideABlockTheSameStatementsWork() throws Exception {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE EXTERNAL RESOURCE POOL tx_pool WITH (MAX_PROCESSES = 2)");
            try {
                assertThat(pools(s)).contains("tx_pool");
            } finally {
                s.execute("DROP EXTERNAL RESOURCE POOL tx_pool");
            }
            assertThat(pools(s)).doesNotContain("tx_pool");
        }
    }
}
