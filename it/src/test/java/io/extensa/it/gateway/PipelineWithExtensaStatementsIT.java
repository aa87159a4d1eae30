package io.extensa.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A pgjdbc batch sends its statements as one pipeline (no Sync in between). Extensa statements in
 * the middle must be answered in order, and an error anywhere must roll back the whole implicit
 * transaction, relayed statements included.
 */
class PipelineWithExtensaStatementsIT {

    private static ExtensaStack stack;

    @BeforeAll
    static void start() throws SQLException {
        stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS piped");
            s.execute("CREATE TABLE piped (v bigint)");
        }
    }

    private static String insertExec(String script) {
        return "INSERT INTO piped EXEC sp_execute_external_script @language = N'Python', @script = N'"
                + script.replace("'", "''") + "'";
    }

    @Test
    void extensaStatementsInTheMiddleOfABatchAnswerInOrder() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE piped");
            s.addBatch("INSERT INTO piped VALUES (1)");
            s.addBatch(insertExec("import pandas as pd\nOutputDataSet = pd.DataFrame({'v': [10, 11]})"));
            s.addBatch("INSERT INTO piped VALUES (2), (3), (4)");
            s.addBatch(insertExec("import pandas as pd\nOutputDataSet = pd.DataFrame({'v': [20]})"));
            int[] counts = s.executeBatch();
            assertThat(counts).containsExactly(1, 2, 3, 1);
            try (ResultSet rs = s.executeQuery("SELECT string_agg(v::text, ',' ORDER BY v) FROM piped")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("1,2,3,4,10,11,20");
            }
        }
    }

    @Test
    void aFailingScriptRollsBackTheWholePipeline() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE piped");
            s.addBatch("INSERT INTO piped VALUES (1)");
            s.addBatch(insertExec("raise RuntimeError('no')"));
            s.addBatch("INSERT INTO piped VALUES (2)");
            assertThatThrownBy(s::executeBatch).isInstanceOf(BatchUpdateException.class)
                    .hasMessageContaining("RuntimeError: no");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM piped")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }

    @Test
    void aPostgresErrorBeforeTheScriptSkipsIt() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE piped");
            s.addBatch("INSERT INTO piped VALUES ('not a number')");
            s.addBatch(insertExec("import pandas as pd\nOutputDataSet = pd.DataFrame({'v': [10]})"));
            assertThatThrownBy(s::executeBatch).hasMessageContaining("invalid input syntax");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM piped")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }
}
