package io.extensa.engine.sql;

import io.extensa.engine.sql.ast.Argument;
import io.extensa.engine.sql.ast.ColumnDefinition;
import io.extensa.engine.sql.ast.ResultSets;
import io.extensa.engine.sql.ast.Statement;
import io.extensa.engine.sql.ast.Value;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Recognizes and parses Extensa's statements. Anything it does not recognize yields null and is
 * relayed to PostgreSQL untouched; a recognized statement with a mistake yields a syntax error
 * with the position, like PostgreSQL's own.
 *
 * <pre>
 * EXEC[UTE] [sys.|dbo.]proc [arg {, arg}] [WITH RESULT SETS ((col type [[NOT] NULL], ...), ...) | NONE | UNDEFINED]
 *   arg := [@name =] value [OUTPUT | OUT]      value := 'x' | N'x' | $$x$$ | number | 0xAB | NULL | DEFAULT | @var | $n
 * CALL proc([name =&gt; value {, name =&gt; value}])
 * INSERT INTO table [(col, ...)] EXEC ...
 * DECLARE @v [AS] type [= expr] {, ...}      SET @v = expr      PRINT expr
 * any other statement referencing declared @variables (they become bound parameters)
 * </pre>
 */
public final class StatementParser extends TokenCursor {

    private final String sql;

    private StatementParser(String sql, List<Token> tokens) {
        super(tokens);
        this.sql = sql;
    }

    /**
     * @param procedures names of Extensa's procedures (lower case)
     * @param declared   whether a variable name (without '@', any case) is declared in the session
     * @return the statement, or null when it is PostgreSQL's
     */
    public static Statement parse(String sql, Set<String> procedures, Predicate<String> declared) throws PgException {
        List<Token> tokens;
        try {
            tokens = Lexer.tokenize(sql);
        } catch (PgException e) {
            if (looksLikeExtensa(sql)) {
                throw e;
            }
            return null;
        }
        return new StatementParser(sql, tokens).statement(procedures, declared);
    }

    private static boolean looksLikeExtensa(String sql) {
        String s = sql.stripLeading().toLowerCase(Locale.ROOT);
        return s.startsWith("exec") || s.startsWith("declare @") || s.startsWith("set @") || s.startsWith("print ")
                || s.startsWith("reconfigure")
                || s.matches("(?s)(create|alter|drop)\\s+(external\\s+(resource|library)|resource\\s+governor)\\b.*");
    }

    private Statement statement(Set<String> procedures, Predicate<String> declared) throws PgException {
        Token first = peek();
        if (first.isKeyword("EXEC") || first.isKeyword("EXECUTE")) {
            String procedure = procedureNameAt(1);
            if (procedure != null && procedures.contains(procedure)) {
                Statement.Exec exec = exec();
                expectEnd();
                return exec;
            }
            if (first.isKeyword("EXEC")) {
                throw new PgException(SqlState.UNDEFINED_FUNCTION, "\"" + (procedure == null ? tokens.get(1).value()
                        : procedure) + "\" is not an Extensa procedure")
                        .withHint("Extensa's procedures are " + String.join(", ", procedures.stream().sorted().toList())
                                + "; call PostgreSQL procedures with CALL.");
            }
            return null;
        }
        if (first.isKeyword("CALL")) {
            String procedure = procedureNameAt(1);
            if (procedure != null && procedures.contains(procedure)) {
                Statement.Exec call = call();
                expectEnd();
                return call;
            }
        }
        if (first.isKeyword("INSERT") && tokens.get(1).isKeyword("INTO")) {
            int execAt = topLevelKeyword("EXEC", "EXECUTE");
            if (execAt > 0) {
                String procedure = procedureNameAt(execAt + 1);
                if (procedure != null && procedures.contains(procedure)) {
                    Statement.InsertExec insert = insertExec();
                    expectEnd();
                    return insert;
                }
            }
        }
        if (LibraryParser.isLibraryStatement(tokens)) {
            return LibraryParser.parse(tokens);
        }
        if (first.isKeyword("RECONFIGURE") || first.isKeyword("GRANT") || first.isKeyword("REVOKE")
                || (first.isKeyword("CREATE") || first.isKeyword("ALTER") || first.isKeyword("DROP"))
                && (tokens.get(1).isKeyword("EXTERNAL") || tokens.get(1).isKeyword("RESOURCE"))) {
            Statement administration = AdministrationParser.parse(tokens);
            if (administration != null) {
                return administration;
            }
        }
        if (first.isKeyword("DECLARE") && tokens.get(1).type() == TokenType.VARIABLE) {
            return declare();
        }
        if (first.isKeyword("SET") && tokens.get(1).type() == TokenType.VARIABLE) {
            return setVariable();
        }
        if (first.isKeyword("PRINT")) {
            next();
            return new Statement.Print(restOfStatement());
        }
        for (Token t : tokens) {
            if (t.type() == TokenType.VARIABLE && declared.test(t.value())) {
                return new Statement.WithVariables(sql);
            }
        }
        return null;
    }

    // ---- EXEC and CALL ----

    private Statement.Exec exec() throws PgException {
        next();
        if (peek().type() == TokenType.VARIABLE && tokens.get(i + 1).isSymbol("=")) {
            throw error(peek(), "EXEC @result = procedure is not supported; procedures return result sets");
        }
        String procedure = procedureName();
        List<Argument> arguments = new ArrayList<>();
        if (!atEnd() && !peek().isKeyword("WITH")) {
            do {
                arguments.add(argument());
            } while (accept(","));
        }
        ResultSets resultSets = ResultSets.UNDEFINED;
        if (peek().isKeyword("WITH")) {
            resultSets = resultSets();
        }
        return new Statement.Exec(procedure, arguments, resultSets);
    }

    private Argument argument() throws PgException {
        String name = null;
        if (peek().type() == TokenType.VARIABLE && tokens.get(i + 1).isSymbol("=")) {
            name = next().value();
            next();
        }
        Value value = value();
        boolean output = false;
        if (peek().isKeyword("OUTPUT") || peek().isKeyword("OUT")) {
            next();
            output = true;
        }
        return new Argument(name, value, output);
    }

    private Statement.Exec call() throws PgException {
        next();
        String procedure = procedureName();
        expect("(");
        List<Argument> arguments = new ArrayList<>();
        if (!peek().isSymbol(")")) {
            do {
                String name = null;
                if ((peek().type() == TokenType.IDENTIFIER || peek().type() == TokenType.QUOTED_IDENTIFIER)
                        && tokens.get(i + 1).isSymbol("=>")) {
                    name = next().value();
                    next();
                }
                arguments.add(new Argument(name, value(), false));
            } while (accept(","));
        }
        expect(")");
        return new Statement.Exec(procedure, arguments, ResultSets.UNDEFINED);
    }

    private Value value() throws PgException {
        Token t = next();
        return switch (t.type()) {
            case STRING -> new Value.Text(t.value());
            case NUMBER -> new Value.Number(t.value());
            case BINARY -> new Value.Binary(t.value());
            case VARIABLE -> new Value.Variable(t.value());
            case PARAMETER -> new Value.Parameter(Integer.parseInt(t.value()));
            case SYMBOL -> {
                if ((t.value().equals("-") || t.value().equals("+")) && peek().type() == TokenType.NUMBER) {
                    Token number = next();
                    yield new Value.Number(t.value().equals("-") ? "-" + number.value() : number.value());
                }
                throw error(t, "a value was expected");
            }
            case IDENTIFIER -> {
                if (t.isKeyword("NULL")) {
                    yield new Value.Null();
                }
                if (t.isKeyword("DEFAULT")) {
                    yield new Value.Default();
                }
                // T-SQL accepts bare words as character arguments (EXEC p @x = abc)
                yield new Value.Text(t.value());
            }
            default -> throw error(t, "a value was expected");
        };
    }

    private ResultSets resultSets() throws PgException {
        next();
        expectKeyword("RESULT");
        expectKeyword("SETS");
        if (peek().isKeyword("NONE")) {
            next();
            return new ResultSets(ResultSets.Kind.NONE, List.of());
        }
        if (peek().isKeyword("UNDEFINED")) {
            next();
            return ResultSets.UNDEFINED;
        }
        expect("(");
        List<List<ColumnDefinition>> sets = new ArrayList<>();
        do {
            expect("(");
            List<ColumnDefinition> columns = new ArrayList<>();
            do {
                columns.add(columnDefinition());
            } while (accept(","));
            expect(")");
            sets.add(columns);
        } while (accept(","));
        expect(")");
        return new ResultSets(ResultSets.Kind.DEFINED, sets);
    }

    private ColumnDefinition columnDefinition() throws PgException {
        Token name = next();
        if (name.type() != TokenType.IDENTIFIER && name.type() != TokenType.QUOTED_IDENTIFIER) {
            throw error(name, "a column name was expected");
        }
        int typeStart = peek().start();
        int typeEnd = typeStart;
        int depth = 0;
        while (!atEnd()) {
            Token t = peek();
            if (depth == 0 && (t.isSymbol(",") || t.isSymbol(")") || t.isKeyword("NULL") || t.isKeyword("NOT")
                    || t.isKeyword("COLLATE"))) {
                break;
            }
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
            }
            typeEnd = next().end();
        }
        if (typeEnd == typeStart) {
            throw error(peek(), "a type was expected for column \"" + name.value() + "\"");
        }
        Boolean nullable = null;
        if (peek().isKeyword("NOT")) {
            next();
            expectKeyword("NULL");
            nullable = false;
        } else if (peek().isKeyword("NULL")) {
            next();
            nullable = true;
        }
        if (peek().isKeyword("COLLATE")) {
            next();
            next();
        }
        return new ColumnDefinition(name.value(), sql.substring(typeStart, typeEnd), nullable);
    }

    // ---- INSERT ... EXEC ----

    private Statement.InsertExec insertExec() throws PgException {
        next();
        next();
        List<String> table = new ArrayList<>();
        do {
            table.add(identifier());
        } while (accept("."));
        List<String> columns = new ArrayList<>();
        if (accept("(")) {
            do {
                columns.add(identifier());
            } while (accept(","));
            expect(")");
        }
        if (!peek().isKeyword("EXEC") && !peek().isKeyword("EXECUTE")) {
            throw error(peek(), "EXEC was expected");
        }
        return new Statement.InsertExec(table, columns, exec());
    }

    /** An identifier as PostgreSQL resolves it: unquoted folds to lower case. */
    private String identifier() throws PgException {
        Token t = next();
        return switch (t.type()) {
            case IDENTIFIER -> t.value().toLowerCase(Locale.ROOT);
            case QUOTED_IDENTIFIER -> t.value();
            default -> throw error(t, "an identifier was expected");
        };
    }

    // ---- variables ----

    private Statement.Declare declare() throws PgException {
        next();
        List<Statement.VariableDeclaration> variables = new ArrayList<>();
        do {
            Token v = next();
            if (v.type() != TokenType.VARIABLE) {
                throw error(v, "a variable name (@name) was expected");
            }
            if (peek().isKeyword("AS")) {
                next();
            }
            String type = rawUntil(true);
            if (type.isEmpty()) {
                throw error(peek(), "a type was expected for @" + v.value());
            }
            String expression = null;
            if (accept("=")) {
                expression = rawUntil(false);
                if (expression.isEmpty()) {
                    throw error(peek(), "a value was expected for @" + v.value());
                }
            }
            variables.add(new Statement.VariableDeclaration(v.value(), type, expression));
        } while (accept(","));
        expectEnd();
        return new Statement.Declare(variables);
    }

    private Statement.SetVariable setVariable() throws PgException {
        next();
        Token v = next();
        expect("=");
        String expression = restOfStatement();
        if (expression.isEmpty()) {
            throw error(peek(), "a value was expected for @" + v.value());
        }
        return new Statement.SetVariable(v.value(), expression);
    }

    /** Source text up to a top-level ',' (or '=' when stopAtEquals) or the end. */
    private String rawUntil(boolean stopAtEquals) {
        int start = peek().start();
        int end = start;
        int depth = 0;
        while (!atEnd()) {
            Token t = peek();
            if (depth == 0 && (t.isSymbol(",") || stopAtEquals && t.isSymbol("="))) {
                break;
            }
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
            }
            end = next().end();
        }
        return sql.substring(start, end).strip();
    }

    private String restOfStatement() {
        int start = peek().start();
        int end = start;
        while (!atEnd()) {
            end = next().end();
        }
        return sql.substring(start, end).strip();
    }

    // ---- token plumbing ----

    /** [sys.|dbo.|master.dbo.]name at token index k, lower-cased, or null. */
    private String procedureNameAt(int k) {
        List<String> parts = new ArrayList<>();
        while (k < tokens.size()) {
            Token t = tokens.get(k);
            if (t.type() != TokenType.IDENTIFIER && t.type() != TokenType.QUOTED_IDENTIFIER) {
                return null;
            }
            parts.add(t.value().toLowerCase(Locale.ROOT));
            if (!tokens.get(k + 1).isSymbol(".")) {
                break;
            }
            k += 2;
        }
        if (parts.isEmpty()) {
            return null;
        }
        String name = parts.get(parts.size() - 1);
        for (String qualifier : parts.subList(0, parts.size() - 1)) {
            if (!Set.of("sys", "dbo", "master").contains(qualifier)) {
                return null;
            }
        }
        return name;
    }

    private String procedureName() throws PgException {
        String name = procedureNameAt(i);
        if (name == null) {
            throw error(peek(), "a procedure name was expected");
        }
        while (tokens.get(i + 1).isSymbol(".")) {
            i += 2;
        }
        i++;
        return name;
    }

    private int topLevelKeyword(String... keywords) {
        int depth = 0;
        for (int k = 0; k < tokens.size(); k++) {
            Token t = tokens.get(k);
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
            } else if (depth == 0) {
                for (String keyword : keywords) {
                    if (t.isKeyword(keyword)) {
                        return k;
                    }
                }
            }
        }
        return -1;
    }
}
