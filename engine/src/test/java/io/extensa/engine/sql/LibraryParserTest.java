package io.extensa.engine.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.engine.sql.ast.Statement;
import io.extensa.pgwire.PgException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LibraryParserTest {

    private static Statement parse(String sql) throws PgException {
        return StatementParser.parse(sql, Set.of("sp_execute_external_script"), name -> false);
    }

    @Test
    void createWithInlineContentOwnerAndPlatform() throws PgException {
        Statement s = parse("CREATE EXTERNAL LIBRARY [mylib] AUTHORIZATION Analyst "
                + "FROM (CONTENT = 0x504B0304, PLATFORM = LINUX) WITH (LANGUAGE = 'Python');");
        assertThat(s).isInstanceOf(Statement.CreateLibrary.class);
        Statement.CreateLibrary c = (Statement.CreateLibrary) s;
        assertThat(c.name()).isEqualTo("mylib");
        assertThat(c.owner()).isEqualTo("analyst");
        assertThat(c.language()).isEqualTo("Python");
        assertThat(c.content().bytes()).containsExactly(0x50, 0x4B, 0x03, 0x04);
        assertThat(c.content().serverPath()).isNull();
    }

    @Test
    void createFromServerPathAlterAndDrop() throws PgException {
        Statement.CreateLibrary c = (Statement.CreateLibrary) parse(
                "create external library pkg from (content = N'/srv/pkg.whl') with (language = 'R')");
        assertThat(c.content().serverPath()).isEqualTo("/srv/pkg.whl");
        assertThat(c.owner()).isNull();

        Statement.AlterLibrary a = (Statement.AlterLibrary) parse(
                "ALTER EXTERNAL LIBRARY pkg SET (CONTENT = 0x00FF) WITH (LANGUAGE = 'R')");
        assertThat(a.content().bytes()).containsExactly(0x00, 0xFF);
        assertThat(a.language()).isEqualTo("R");

        assertThat(parse("DROP EXTERNAL LIBRARY pkg AUTHORIZATION \"Bob\""))
                .isEqualTo(new Statement.DropLibrary("pkg", "Bob"));
    }

    @Test
    void permissions() throws PgException {
        assertThat(parse("GRANT CREATE EXTERNAL LIBRARY TO alice, \"Bob\""))
                .isEqualTo(new Statement.LibraryPermission(true, false, List.of("alice", "Bob")));
        assertThat(parse("REVOKE ALTER ANY EXTERNAL LIBRARY FROM alice"))
                .isEqualTo(new Statement.LibraryPermission(false, true, List.of("alice")));
        assertThat(parse("GRANT CREATE TABLE TO alice")).as("PostgreSQL's own GRANT is relayed").isNull();
        assertThat(parse("CREATE TABLE external_library (x int)")).isNull();
    }

    @Test
    void mistakesAreSyntaxErrorsWithPositions() {
        assertThatThrownBy(() -> parse("CREATE EXTERNAL LIBRARY x FROM (CONTENT = 0x0) WITH (LANGUAGE = 'Python')"))
                .isInstanceOf(PgException.class).hasMessageContaining("even, non-zero number of hexadecimal digits");
        assertThatThrownBy(() -> parse("CREATE EXTERNAL LIBRARY x FROM (CONTENT = 0x00) WITH (LANGUAGE = 'Python'"))
                .hasMessageContaining("\")\" was expected");
        assertThatThrownBy(() -> parse("CREATE EXTERNAL LIBRARY x FROM (CONTENT = 0x00, PLATFORM = WINDOWS) "
                + "WITH (LANGUAGE = 'Python')")).hasMessageContaining("only PLATFORM = LINUX");
        assertThatThrownBy(() -> parse("DROP EXTERNAL LIBRARY x CASCADE"))
                .isInstanceOf(PgException.class).hasMessageContaining("unexpected \"CASCADE\"")
                .extracting(e -> ((PgException) e).fields().values().get('P')).isEqualTo("25");
    }
}
