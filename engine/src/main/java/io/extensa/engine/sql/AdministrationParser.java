package io.extensa.engine.sql;

import io.extensa.engine.sql.ast.Statement;
import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Extensa's administration statements that are not procedures:
 * <pre>
 * RECONFIGURE [WITH OVERRIDE]
 * GRANT  EXECUTE ANY EXTERNAL SCRIPT TO role [, ...]
 * REVOKE EXECUTE ANY EXTERNAL SCRIPT FROM | TO role [, ...]
 * GRANT  EXECUTE EXTERNAL SCRIPT ON EXTERNAL LANGUAGE::name TO role [, ...]
 * REVOKE EXECUTE EXTERNAL SCRIPT ON EXTERNAL LANGUAGE::name FROM | TO role [, ...]
 * </pre>
 * Returns null for anything else (PostgreSQL's own GRANT and REVOKE are relayed).
 */
final class AdministrationParser {

    private final List<Token> tokens;
    private int i;

    private AdministrationParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static Statement parse(List<Token> tokens) throws PgException {
        return new AdministrationParser(tokens).statement();
    }

    private Statement statement() throws PgException {
        Token first = tokens.get(0);
        if (first.isKeyword("RECONFIGURE")) {
            i = 1;
            if (peek().isKeyword("WITH")) {
                i++;
                expectKeyword("OVERRIDE");
            }
            expectEnd();
            return new Statement.Reconfigure();
        }
        boolean grant = first.isKeyword("GRANT");
        if (!grant && !first.isKeyword("REVOKE")) {
            return null;
        }
        i = 1;
        if (!peek().isKeyword("EXECUTE")) {
            return null;
        }
        i++;
        String language = null;
        if (peek().isKeyword("ANY")) {
            i++;
            if (!(peek().isKeyword("EXTERNAL") && at(1).isKeyword("SCRIPT"))) {
                return null;
            }
            i += 2;
        } else if (peek().isKeyword("EXTERNAL") && at(1).isKeyword("SCRIPT")) {
            i += 2;
            expectKeyword("ON");
            expectKeyword("EXTERNAL");
            expectKeyword("LANGUAGE");
            if (!peek().isSymbol("::")) {
                throw error(peek(), "\"::\" was expected, as in EXTERNAL LANGUAGE::Python");
            }
            i++;
            Token name = next();
            if (name.type() != TokenType.IDENTIFIER && name.type() != TokenType.QUOTED_IDENTIFIER) {
                throw error(name, "a language name was expected");
            }
            language = name.value();
        } else {
            return null;
        }
        if (peek().isKeyword("TO") || !grant && peek().isKeyword("FROM")) {
            i++;
        } else {
            throw error(peek(), grant ? "TO was expected" : "FROM was expected");
        }
        List<String> roles = new ArrayList<>();
        do {
            Token role = next();
            roles.add(switch (role.type()) {
                case IDENTIFIER -> role.value().toLowerCase(Locale.ROOT);
                case QUOTED_IDENTIFIER -> role.value();
                default -> throw error(role, "a role name was expected");
            });
        } while (accept(","));
        expectEnd();
        return new Statement.ScriptPermission(grant, language, roles);
    }

    private Token peek() {
        return tokens.get(i);
    }

    private Token at(int ahead) {
        return tokens.get(Math.min(i + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(i);
        if (t.type() != TokenType.END) {
            i++;
        }
        return t;
    }

    private boolean accept(String symbol) {
        if (peek().isSymbol(symbol)) {
            i++;
            return true;
        }
        return false;
    }

    private void expectKeyword(String keyword) throws PgException {
        if (!peek().isKeyword(keyword)) {
            throw error(peek(), keyword + " was expected");
        }
        i++;
    }

    private void expectEnd() throws PgException {
        accept(";");
        if (peek().type() != TokenType.END) {
            throw error(peek(), "unexpected \"" + peek().value() + "\"");
        }
    }

    private PgException error(Token at, String message) {
        String near = at.type() == TokenType.END ? "at end of input" : "at or near \"" + at.value() + "\"";
        return new PgException(ErrorFields.error(SqlState.SYNTAX_ERROR, "syntax error " + near + ": " + message)
                .with('P', String.valueOf(at.start() + 1)));
    }
}
