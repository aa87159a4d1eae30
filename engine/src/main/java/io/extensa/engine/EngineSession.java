package io.extensa.engine;

import io.extensa.engine.sql.Prefilter;
import io.extensa.engine.sql.StatementParser;
import io.extensa.engine.sql.ast.Statement;
import io.extensa.engine.statement.Statements;
import io.extensa.engine.variables.SessionVariables;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.ClientSession;
import io.extensa.pgwire.intercept.InterceptedStatement;
import io.extensa.pgwire.intercept.SessionInterceptor;
import java.util.Set;

/** One client session as the engine sees it: its variables and the statements it sends. */
final class EngineSession implements SessionInterceptor {

    static final Set<String> PROCEDURES = Set.of(Statements.EXTERNAL_SCRIPT, Statements.EXTENSA_INFO,
            Statements.CONFIGURE);

    private final EngineServices services;
    private final ClientSession session;
    private final SessionVariables variables = new SessionVariables();

    EngineSession(EngineServices services, ClientSession session) {
        this.services = services;
        this.session = session;
    }

    @Override
    public boolean mayIntercept(byte[] sql, int offset, int length) {
        return Prefilter.mayBeExtensa(sql, offset, length);
    }

    @Override
    public InterceptedStatement intercept(String sql) throws PgException {
        Statement statement = StatementParser.parse(sql, PROCEDURES, variables::isDeclared);
        if (statement == null) {
            return null;
        }
        String encoding = session.parameterStatus("client_encoding");
        if (encoding != null && !encoding.equalsIgnoreCase("UTF8") && !encoding.equalsIgnoreCase("SQL_ASCII")) {
            throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "Extensa statements need client_encoding UTF8, "
                    + "this session uses " + encoding).withHint("SET client_encoding = 'UTF8'");
        }
        return Statements.of(statement, variables, services);
    }
}
