package io.extensa.engine.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.engine.sql.ast.Argument;
import io.extensa.engine.sql.ast.ColumnDefinition;
import io.extensa.engine.sql.ast.ResultSets;
import io.extensa.engine.sql.ast.Statement;
import io.extensa.engine.sql.ast.Value;
import io.extensa.pgwire.PgException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatementParserTest {

    private static final Set<String> PROCEDURES = Set.of("sp_execute_external_script", "sp_extensa_info");

    private static Statement parse(String sql) throws PgException {
        return StatementParser.parse(sql, PROCEDURES, name -> name.equalsIgnoreCase("model"));
    }

    @Test
    void parsesTheSqlServerQuickstartCall() throws PgException {
        Statement s = parse("""
                EXECUTE sp_execute_external_script @language = N'Python'
                    , @script = N'OutputDataSet = InputDataSet;
                print(''it''''s'')'
                    , @input_data_1 = N'SELECT 1 AS hello'
                    , @params = N'@model varbinary(max) OUTPUT, @n int'
                    , @model = @model OUTPUT, @n = -5
                WITH RESULT SETS (([hello] int NOT NULL, "b c" varchar(50) NULL, d numeric(12, 6)));
                """);
        assertThat(s).isInstanceOf(Statement.Exec.class);
        Statement.Exec exec = (Statement.Exec) s;
        assertThat(exec.procedure()).isEqualTo("sp_execute_external_script");
        assertThat(exec.arguments()).extracting(Argument::name)
                .containsExactly("language", "script", "input_data_1", "params", "model", "n");
        assertThat(exec.arguments().get(1).value()).isEqualTo(new Value.Text("OutputDataSet = InputDataSet;\nprint('it''s')"));
        assertThat(exec.arguments().get(4)).isEqualTo(new Argument("model", new Value.Variable("model"), true));
        assertThat(exec.arguments().get(5).value()).isEqualTo(new Value.Number("-5"));
        assertThat(exec.resultSets().kind()).isEqualTo(ResultSets.Kind.DEFINED);
        assertThat(exec.resultSets().sets().get(0)).containsExactly(
                new ColumnDefinition("hello", "int", false),
                new ColumnDefinition("b c", "varchar(50)", true),
                new ColumnDefinition("d", "numeric(12, 6)", null));
    }

    @Test
    void acceptsQualifiedNamesBinaryNullDefaultAndParameters() throws PgException {
        Statement.Exec exec = (Statement.Exec) parse(
                "exec sys.SP_EXECUTE_EXTERNAL_SCRIPT 'R', $1, @x = 0xDEADbeef, @y = NULL, @z = DEFAULT WITH RESULT SETS NONE");
        assertThat(exec.arguments()).extracting(Argument::value).containsExactly(
                new Value.Text("R"), new Value.Parameter(1), new Value.Binary("DEADbeef"), new Value.Null(),
                new Value.Default());
        assertThat(exec.resultSets().kind()).isEqualTo(ResultSets.Kind.NONE);
    }

    @Test
    void parsesPostgresStyleCallWithNamedArgumentsAndDollarQuotes() throws PgException {
        Statement.Exec call = (Statement.Exec) parse(
                "CALL sp_execute_external_script(language => 'Python', script => $$print('x')$$, input_data_1 => E'SELECT \\'a\\'')");
        assertThat(call.arguments()).containsExactly(
                new Argument("language", new Value.Text("Python"), false),
                new Argument("script", new Value.Text("print('x')"), false),
                new Argument("input_data_1", new Value.Text("SELECT 'a'"), false));
    }

    @Test
    void parsesInsertExecWithQuotedTargetAndColumns() throws PgException {
        Statement.InsertExec insert = (Statement.InsertExec) parse(
                "INSERT INTO Sales.\"Scores\" (Id, \"Value\") EXEC sp_execute_external_script @language = N'Python', @script = N''");
        assertThat(insert.table()).containsExactly("sales", "Scores");
        assertThat(insert.columns()).containsExactly("id", "Value");
        assertThat(insert.exec().arguments()).hasSize(2);
    }

    @Test
    void parsesVariableStatements() throws PgException {
        assertThat(parse("DECLARE @model varbinary(max), @n AS int = (SELECT count(*) FROM t), @s nvarchar(10) = N'x'"))
                .isEqualTo(new Statement.Declare(java.util.List.of(
                        new Statement.VariableDeclaration("model", "varbinary(max)", null),
                        new Statement.VariableDeclaration("n", "int", "(SELECT count(*) FROM t)"),
                        new Statement.VariableDeclaration("s", "nvarchar(10)", "N'x'"))));
        assertThat(parse("SET @n = @n + 1;")).isEqualTo(new Statement.SetVariable("n", "@n + 1"));
        assertThat(parse("print 'hello'")).isEqualTo(new Statement.Print("'hello'"));
    }

    @Test
    void statementsUsingDeclaredVariablesAreTakenOverOthersRelayed() throws PgException {
        assertThat(parse("INSERT INTO models VALUES ('m1', @model)"))
                .isEqualTo(new Statement.WithVariables("INSERT INTO models VALUES ('m1', @model)"));
        assertThat(parse("SELECT @other, '@model', abs(@ -5)")).isNull();
        assertThat(parse("SELECT 1")).isNull();
        assertThat(parse("EXECUTE my_prepared(1)")).isNull();
        assertThat(parse("CALL my_procedure(1)")).isNull();
        assertThat(parse("DECLARE c CURSOR FOR SELECT 1")).isNull();
        assertThat(parse("SET search_path = public")).isNull();
    }

    @Test
    void unknownProcedureAfterExecIsAClearError() {
        assertThatThrownBy(() -> parse("EXEC sp_who"))
                .isInstanceOf(PgException.class)
                .hasMessageContaining("\"sp_who\" is not an Extensa procedure")
                .extracting(e -> ((PgException) e).sqlState()).isEqualTo("42883");
    }

    @Test
    void syntaxErrorsCarryThePosition() {
        assertThatThrownBy(() -> parse("EXEC sp_execute_external_script @language = N'Python' @script = N'x'"))
                .isInstanceOf(PgException.class)
                .satisfies(e -> {
                    PgException p = (PgException) e;
                    assertThat(p.sqlState()).isEqualTo("42601");
                    assertThat(p.fields().values().get('P')).isEqualTo("55");
                });
        assertThatThrownBy(() -> parse("EXEC sp_execute_external_script @script = N'unterminated"))
                .hasMessageContaining("unterminated quoted string");
    }

    @Test
    void lexerHandlesNestedCommentsAndBracketIdentifiers() throws PgException {
        assertThat(Lexer.tokenize("/* a /* b */ c */ [x y] @v -- tail"))
                .extracting(Token::type)
                .containsExactly(TokenType.QUOTED_IDENTIFIER, TokenType.VARIABLE, TokenType.END);
    }
}
