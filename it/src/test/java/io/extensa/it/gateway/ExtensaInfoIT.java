package io.extensa.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.ProcessResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The interception hook, proven with EXEC sp_extensa_info over the simple and the extended protocol. */
class ExtensaInfoIT {

    private static ExtensaStack stack;

    @BeforeAll
    static void start() {
        stack = ExtensaStack.get();
    }

    @Test
    void psqlSimpleProtocol() {
        ProcessResult r = stack.psql("", "-A", "-c", "EXEC sp_extensa_info").assertOk();
        assertThat(r.stdout()).contains("extensa_version|postgresql_version|started_at|uptime|languages")
                .contains("PostgreSQL 15").contains("Python").contains("(1 row)");
    }

    @Test
    void pgjdbcExtendedProtocolAlsoAsAReusedPreparedStatement() throws SQLException {
        try (Connection c = stack.connect("prepareThreshold=1");
             PreparedStatement p = c.prepareStatement("EXEC sp_extensa_info")) {
            for (int i = 0; i < 5; i++) {
                try (ResultSet rs = p.executeQuery()) {
                    assertThat(rs.getMetaData().getColumnTypeName(4)).isEqualTo("interval");
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString("postgresql_version")).startsWith("PostgreSQL 15");
                    assertThat(rs.getString("uptime")).isNotBlank();
                    assertThat(rs.getTimestamp("started_at")).isNotNull();
                    assertThat(rs.next()).isFalse();
                }
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("exec SYS.sp_extensa_info")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void insideATransactionAndAfterAnErrorLikeAnyStatement() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            try (ResultSet rs = s.executeQuery("EXEC sp_extensa_info")) {
                assertThat(rs.next()).isTrue();
            }
            try {
                s.execute("SELECT 1/0");
            } catch (SQLException expected) {
                assertThat(expected.getMessage()).contains("division by zero");
            }
            try {
                s.executeQuery("EXEC sp_extensa_info");
                throw new AssertionError("an aborted transaction must refuse Extensa statements too");
            } catch (SQLException expected) {
                assertThat(expected.getSQLState()).isEqualTo("25P02");
            }
            c.rollback();
        }
    }

    @Test
    void psycopg2() {
        String out = stack.python("""
                import os, psycopg2
                conn = psycopg2.connect(os.environ['EXTENSA_DSN'])
                cur = conn.cursor()
                cur.execute("EXEC sp_extensa_info")
                print([d.name for d in cur.description], cur.fetchone()[1][:13])
                """).assertOk().stdout();
        assertThat(out).contains("'uptime'").contains("PostgreSQL 15");
    }
}
