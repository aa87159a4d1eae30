package io.extensa.engine.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.engine.sql.ast.Statement;
import io.extensa.engine.sql.ast.Statement.PoolAction;
import io.extensa.pgwire.PgException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResourcePoolParserTest {

    private static Statement parse(String sql) throws PgException {
        return StatementParser.parse(sql, Set.of("sp_execute_external_script"), name -> false);
    }

    private static PgException syntaxError(String sql) {
        try {
            parse(sql);
        } catch (PgException e) {
            return e;
        }
        throw new AssertionError("no error for " + sql);
    }

    @Test
    void parsesSqlServersPoolStatements() throws PgException {
        assertThat(parse("CREATE EXTERNAL RESOURCE POOL ep_1 WITH (MAX_CPU_PERCENT = 75, AFFINITY CPU = AUTO,"
                + " MAX_MEMORY_PERCENT = 30, max_processes = 4);"))
                .isEqualTo(new Statement.ResourcePool(PoolAction.CREATE, "ep_1",
                        Map.of("MAX_CPU_PERCENT", 75, "MAX_MEMORY_PERCENT", 30, "MAX_PROCESSES", 4), List.of()));
        assertThat(parse("create external resource pool \"ETL Team\""))
                .isEqualTo(new Statement.ResourcePool(PoolAction.CREATE, "ETL Team", Map.of(), List.of()));
        assertThat(parse("ALTER EXTERNAL RESOURCE POOL \"default\" WITH (max_memory_percent = 50)"))
                .isEqualTo(new Statement.ResourcePool(PoolAction.ALTER, "default", Map.of("MAX_MEMORY_PERCENT", 50),
                        List.of()));
        assertThat(parse("ALTER EXTERNAL RESOURCE POOL default WITH (MAX_PROCESSES = 0)"))
                .isEqualTo(new Statement.ResourcePool(PoolAction.ALTER, "default", Map.of("MAX_PROCESSES", 0), List.of()));
        assertThat(parse("DROP EXTERNAL RESOURCE POOL Ep_1"))
                .isEqualTo(new Statement.ResourcePool(PoolAction.DROP, "ep_1", Map.of(), List.of()));
        assertThat(parse("ALTER RESOURCE GOVERNOR RECONFIGURE;")).isEqualTo(new Statement.ReconfigureResourceGovernor());
    }

    @Test
    void parsesRoleRoutes() throws PgException {
        assertThat(parse("ALTER EXTERNAL RESOURCE POOL ep_1 ADD ROLE Analysts, \"Data Science\""))
                .isEqualTo(new Statement.ResourcePool(PoolAction.ADD_ROLE, "ep_1", Map.of(),
                        List.of("analysts", "Data Science")));
        assertThat(parse("ALTER EXTERNAL RESOURCE POOL ep_1 DROP ROLE analysts"))
                .isEqualTo(new Statement.ResourcePool(PoolAction.DROP_ROLE, "ep_1", Map.of(), List.of("analysts")));
    }

    @Test
    void mistakesAreSyntaxErrorsWithAPosition() {
        PgException e = syntaxError("CREATE EXTERNAL RESOURCE POOL p WITH (MAX_CPU = 5)");
        assertThat(e.sqlState()).isEqualTo("42601");
        assertThat(e.getMessage()).contains("at or near \"MAX_CPU\"")
                .contains("MAX_CPU_PERCENT, MAX_MEMORY_PERCENT, MAX_PROCESSES or AFFINITY was expected");
        assertThat(e.fields().values().get('P')).isEqualTo("39");
        assertThat(syntaxError("CREATE EXTERNAL RESOURCE POOL p WITH (MAX_PROCESSES = 1, MAX_PROCESSES = 2)").getMessage())
                .contains("MAX_PROCESSES is given twice");
        assertThat(syntaxError("CREATE EXTERNAL RESOURCE POOL p WITH (MAX_PROCESSES = 'x')").getMessage())
                .contains("a whole number was expected for MAX_PROCESSES");
        assertThat(syntaxError("CREATE EXTERNAL RESOURCE POOL p WITH (MAX_PROCESSES = -1)").getMessage())
                .contains("a whole number was expected");
        assertThat(syntaxError("ALTER EXTERNAL RESOURCE POOL p").getMessage()).contains("WITH was expected");
        assertThat(syntaxError("ALTER RESOURCE GOVERNOR").getMessage()).contains("RECONFIGURE was expected");
        assertThat(syntaxError("DROP EXTERNAL RESOURCE POOL p q").getMessage()).contains("unexpected \"q\"");
        assertThat(syntaxError("CREATE EXTERNAL RESOURCE POOL 'p'").getMessage())
                .contains("a resource pool name was expected");
        PgException affinity = syntaxError("CREATE EXTERNAL RESOURCE POOL p WITH (AFFINITY CPU = (0 TO 1))");
        assertThat(affinity.sqlState()).isEqualTo("0A000");
        assertThat(affinity.getMessage()).contains("use all CPUs");
    }

    @Test
    void otherStatementsAreLeftToPostgresql() throws PgException {
        assertThat(parse("CREATE EXTENSION pgcrypto")).isNull();
        assertThat(parse("CREATE TABLE external (resource int)")).isNull();
        assertThat(parse("ALTER RESOURCE QUEUE q WITH (x = 1)")).isNull();
        assertThat(parse("DROP EXTERNAL TABLE t")).isNull();
        String sql = "ALTER RESOURCE GOVERNOR RECONFIGURE";
        assertThat(Prefilter.mayBeExtensa(sql.getBytes(StandardCharsets.UTF_8), 0, sql.length())).isTrue();
        String create = "CREATE EXTERNAL RESOURCE POOL p";
        assertThat(Prefilter.mayBeExtensa(create.getBytes(StandardCharsets.UTF_8), 0, create.length())).isTrue();
    }
}
