package io.extensa.engine.sql;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.SqlState;
import java.util.List;

/**
 * A position in a statement's tokens and the moves every recursive-descent parser here makes:
 * look, take, require. Errors are PostgreSQL syntax errors with the position of the offending token.
 */
abstract class TokenCursor {

    /** The tokens, always ending with one of type END. */
    protected final List<Token> tokens;
    protected int i;

    protected TokenCursor(List<Token> tokens) {
        this.tokens = tokens;
    }

    protected final Token peek() {
        return tokens.get(i);
    }

    /** The token {@code ahead} places on, END when that is past the end. */
    protected final Token at(int ahead) {
        return tokens.get(Math.min(i + ahead, tokens.size() - 1));
    }

    /** Takes the current token; END stays current once reached. */
    protected final Token next() {
        Token t = tokens.get(i);
        if (t.type() != TokenType.END) {
            i++;
        }
        return t;
    }

    /** Nothing but an optional semicolon is left. */
    protected final boolean atEnd() {
        return peek().type() == TokenType.END || peek().isSymbol(";") && at(1).type() == TokenType.END;
    }

    protected final boolean accept(String symbol) {
        if (peek().isSymbol(symbol)) {
            i++;
            return true;
        }
        return false;
    }

    protected final void expect(String symbol) throws PgException {
        if (!accept(symbol)) {
            throw error(peek(), "\"" + symbol + "\" was expected");
        }
    }

    protected final void expectKeyword(String keyword) throws PgException {
        if (!peek().isKeyword(keyword)) {
            throw error(peek(), keyword + " was expected");
        }
        next();
    }

    protected final void expectEnd() throws PgException {
        accept(";");
        if (peek().type() != TokenType.END) {
            throw error(peek(), "unexpected \"" + peek().value() + "\"");
        }
    }

    protected static PgException error(Token at, String message) {
        String near = at.type() == TokenType.END ? "at end of input" : "at or near \"" + at.value() + "\"";
        return new PgException(ErrorFields.error(SqlState.SYNTAX_ERROR, "syntax error " + near + ": " + message)
                .with('P', String.valueOf(at.start() + 1)));
    }
}
