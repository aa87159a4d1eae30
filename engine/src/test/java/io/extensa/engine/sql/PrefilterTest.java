package io.extensa.engine.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PrefilterTest {

    private static boolean maybe(String sql) {
        byte[] b = ("xx" + sql + "yy").getBytes(StandardCharsets.UTF_8);
        return Prefilter.mayBeExtensa(b, 2, b.length - 4);
    }

    @Test
    void passesEveryExtensaStatementShape() {
        assertThat(maybe("EXEC sp_execute_external_script")).isTrue();
        assertThat(maybe("execute SP_EXTENSA_INFO")).isTrue();
        assertThat(maybe("CALL Sp_execute_external_script()")).isTrue();
        assertThat(maybe("DECLARE @x int")).isTrue();
        assertThat(maybe("PRINT 1")).isTrue();
    }

    @Test
    void rulesOutOrdinarySql() {
        assertThat(maybe("SELECT abalance FROM pgbench_accounts WHERE aid = 4711;")).isFalse();
        assertThat(maybe("UPDATE pgbench_tellers SET tbalance = tbalance + 1 WHERE tid = 3")).isFalse();
        assertThat(maybe("BEGIN")).isFalse();
    }

    @Test
    void neverReadsOutsideTheGivenRange() {
        byte[] b = "exec".getBytes(StandardCharsets.UTF_8);
        assertThat(Prefilter.mayBeExtensa(b, 0, 3)).isFalse();
        assertThat(Prefilter.mayBeExtensa(b, 0, 4)).isTrue();
    }
}
