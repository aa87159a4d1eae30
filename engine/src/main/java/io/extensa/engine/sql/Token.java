package io.extensa.engine.sql;

/**
 * One token: its kind, its value (string contents unescaped, identifiers as written, variable
 * names without '@') and where it sits in the statement text.
 */
public record Token(TokenType type, String value, int start, int end) {

    public boolean is(TokenType t, String v) {
        return type == t && value.equals(v);
    }

    /** True for an unquoted identifier equal to the keyword, ignoring case. */
    public boolean isKeyword(String keyword) {
        return type == TokenType.IDENTIFIER && value.equalsIgnoreCase(keyword);
    }

    public boolean isSymbol(String symbol) {
        return type == TokenType.SYMBOL && value.equals(symbol);
    }

    @Override
    public String toString() {
        return type + "(" + value + ")";
    }
}
