package io.extensa.engine.loopback;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.engine.loopback.LoopbackSession.ClientTransaction;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatementScreenTest {

    @Test
    void identityChangesAndTransactionControlAreRefused() {
        for (String sql : List.of("SET ROLE extensa", "set local role x", "SET SESSION ROLE x", "RESET ROLE",
                "reset role;", "SET SESSION AUTHORIZATION extensa", "SET SESSION AUTHORIZATION DEFAULT",
                "RESET SESSION AUTHORIZATION", "set session_authorization = 'x'", "SET \"role\" TO x",
                "/* c /* nested */ */ -- line\n  RESET \"ROLE\"", "RESET ALL", "DISCARD ALL", "discard temp",
                "BEGIN", "start transaction", "COMMIT", "END", "ROLLBACK", "abort", "SAVEPOINT s",
                "RELEASE SAVEPOINT s", "ROLLBACK TO SAVEPOINT s", "PREPARE TRANSACTION 'x'",
                "COPY a TO STDOUT", "(  RESET ROLE)", "SET client_encoding = 'LATIN1'", "SET NAMES 'LATIN1'",
                "RESET client_encoding")) {
            assertThat(StatementScreen.refusal(sql)).as(sql).isPresent();
        }
    }

    @Test
    void ordinaryStatementsPass() {
        for (String sql : List.of("SELECT 1", "SET search_path = public", "SET LOCAL statement_timeout = 100",
                "RESET search_path", "INSERT INTO t VALUES (1)", "WITH x AS (SELECT 1) SELECT * FROM x",
                "PREPARE p AS SELECT 1", "SELECT set_config('role', 'x', false)", "", "-- only a comment",
                "select 'RESET ROLE'")) {
            assertThat(StatementScreen.refusal(sql)).as(sql).isEmpty();
        }
    }

    @Test
    void clientTransactionStatementsAreRecognised() {
        assertThat(LoopbackConnection.transactionStatement("BEGIN")).contains(ClientTransaction.BEGIN);
        assertThat(LoopbackConnection.transactionStatement("start transaction isolation level serializable"))
                .contains(ClientTransaction.BEGIN);
        assertThat(LoopbackConnection.transactionStatement("commit")).contains(ClientTransaction.COMMIT);
        assertThat(LoopbackConnection.transactionStatement("END")).contains(ClientTransaction.COMMIT);
        assertThat(LoopbackConnection.transactionStatement("ROLLBACK")).contains(ClientTransaction.ROLLBACK);
        assertThat(LoopbackConnection.transactionStatement("ROLLBACK TO SAVEPOINT s")).isEmpty();
        assertThat(LoopbackConnection.transactionStatement("COMMIT PREPARED 'x'")).isEmpty();
        assertThat(LoopbackConnection.transactionStatement("SELECT 1")).isEmpty();
    }

    @Test
    void commandTagsGiveAffectedRows() {
        assertThat(LoopbackSession.Result.affected("INSERT 0 3")).isEqualTo(3);
        assertThat(LoopbackSession.Result.affected("UPDATE 12")).isEqualTo(12);
        assertThat(LoopbackSession.Result.affected("CREATE TABLE")).isZero();
        assertThat(LoopbackSession.Result.affected("BEGIN")).isZero();
    }

    @Test
    void connectionStringValuesAreQuotedWhenNeeded() {
        assertThat(LoopbackSocket.quote("analyst")).isEqualTo("analyst");
        assertThat(LoopbackSocket.quote("my user")).isEqualTo("'my user'");
        assertThat(LoopbackSocket.quote("o'neil")).isEqualTo("'o\\'neil'");
        assertThat(LoopbackSocket.quote("")).isEqualTo("''");
    }
}
