package io.extensa.engine.sql;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import java.util.ArrayList;
import java.util.List;

/**
 * Tokenizes one statement of Extensa's T-SQL subset. It knows both dialects' literals so that
 * SQL Server users can paste N'...' strings and 0x binaries, and PostgreSQL users can write
 * E'...' and $$...$$. Comments (-- and nested block comments) are skipped.
 */
public final class Lexer {

    private final String sql;
    private int pos;

    private Lexer(String sql) {
        this.sql = sql;
    }

    public static List<Token> tokenize(String sql) throws PgException {
        return new Lexer(sql).run();
    }

    private List<Token> run() throws PgException {
        List<Token> tokens = new ArrayList<>();
        int n = sql.length();
        while (true) {
            skipSpaceAndComments();
            if (pos >= n) {
                tokens.add(new Token(TokenType.END, "", n, n));
                return tokens;
            }
            int start = pos;
            char c = sql.charAt(pos);
            char next = pos + 1 < n ? sql.charAt(pos + 1) : 0;
            if ((c == 'N' || c == 'n') && next == '\'') {
                pos++;
                tokens.add(string(start, false));
            } else if ((c == 'E' || c == 'e') && next == '\'') {
                pos++;
                tokens.add(string(start, true));
            } else if (c == '\'') {
                tokens.add(string(start, false));
            } else if (c == '0' && (next == 'x' || next == 'X')) {
                pos += 2;
                while (pos < n && Character.digit(sql.charAt(pos), 16) >= 0) {
                    pos++;
                }
                tokens.add(new Token(TokenType.BINARY, sql.substring(start + 2, pos), start, pos));
            } else if (Character.isDigit(c) || c == '.' && Character.isDigit(next)) {
                tokens.add(number(start));
            } else if (c == '@') {
                pos++;
                while (pos < n && isIdentifierPart(sql.charAt(pos))) {
                    pos++;
                }
                if (pos == start + 1) {
                    tokens.add(new Token(TokenType.SYMBOL, "@", start, pos));
                } else {
                    tokens.add(new Token(TokenType.VARIABLE, sql.substring(start + 1, pos), start, pos));
                }
            } else if (c == '$' && Character.isDigit(next)) {
                pos++;
                while (pos < n && Character.isDigit(sql.charAt(pos))) {
                    pos++;
                }
                tokens.add(new Token(TokenType.PARAMETER, sql.substring(start + 1, pos), start, pos));
            } else if (c == '$') {
                tokens.add(dollarQuoted(start));
            } else if (c == '"') {
                tokens.add(quotedIdentifier(start, '"', '"'));
            } else if (c == '[') {
                tokens.add(quotedIdentifier(start, '[', ']'));
            } else if (isIdentifierStart(c)) {
                while (pos < n && isIdentifierPart(sql.charAt(pos))) {
                    pos++;
                }
                tokens.add(new Token(TokenType.IDENTIFIER, sql.substring(start, pos), start, pos));
            } else if (c == '=' && next == '>' || c == ':' && next == ':' || c == '<' && (next == '=' || next == '>')
                    || c == '>' && next == '=' || c == '!' && next == '=') {
                pos += 2;
                tokens.add(new Token(TokenType.SYMBOL, sql.substring(start, pos), start, pos));
            } else {
                pos++;
                tokens.add(new Token(TokenType.SYMBOL, String.valueOf(c), start, pos));
            }
        }
    }

    private void skipSpaceAndComments() throws PgException {
        int n = sql.length();
        while (pos < n) {
            char c = sql.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (sql.startsWith("--", pos)) {
                int nl = sql.indexOf('\n', pos);
                pos = nl < 0 ? n : nl + 1;
            } else if (sql.startsWith("/*", pos)) {
                int depth = 0;
                int start = pos;
                while (pos < n) {
                    if (sql.startsWith("/*", pos)) {
                        depth++;
                        pos += 2;
                    } else if (sql.startsWith("*/", pos)) {
                        depth--;
                        pos += 2;
                        if (depth == 0) {
                            break;
                        }
                    } else {
                        pos++;
                    }
                }
                if (depth != 0) {
                    throw error(start, "unterminated /* comment");
                }
            } else {
                return;
            }
        }
    }

    /** 'it''s' or E'it\'s': the opening quote is at pos. */
    private Token string(int start, boolean backslashEscapes) throws PgException {
        int n = sql.length();
        StringBuilder value = new StringBuilder();
        pos++;
        while (pos < n) {
            char c = sql.charAt(pos);
            if (c == '\'') {
                if (pos + 1 < n && sql.charAt(pos + 1) == '\'') {
                    value.append('\'');
                    pos += 2;
                    continue;
                }
                pos++;
                return new Token(TokenType.STRING, value.toString(), start, pos);
            }
            if (backslashEscapes && c == '\\' && pos + 1 < n) {
                value.append(unescape(sql.charAt(pos + 1)));
                pos += 2;
                continue;
            }
            value.append(c);
            pos++;
        }
        throw error(start, "unterminated quoted string");
    }

    private static char unescape(char c) {
        return switch (c) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case 'b' -> '\b';
            case 'f' -> '\f';
            default -> c;
        };
    }

    private Token dollarQuoted(int start) throws PgException {
        int n = sql.length();
        int i = pos + 1;
        while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
            i++;
        }
        if (i >= n || sql.charAt(i) != '$') {
            pos++;
            return new Token(TokenType.SYMBOL, "$", start, pos);
        }
        String tag = sql.substring(start, i + 1);
        int close = sql.indexOf(tag, i + 1);
        if (close < 0) {
            throw error(start, "unterminated dollar-quoted string");
        }
        pos = close + tag.length();
        return new Token(TokenType.STRING, sql.substring(i + 1, close), start, pos);
    }

    private Token quotedIdentifier(int start, char open, char close) throws PgException {
        int n = sql.length();
        StringBuilder value = new StringBuilder();
        pos++;
        while (pos < n) {
            char c = sql.charAt(pos);
            if (c == close) {
                if (pos + 1 < n && sql.charAt(pos + 1) == close) {
                    value.append(close);
                    pos += 2;
                    continue;
                }
                pos++;
                return new Token(TokenType.QUOTED_IDENTIFIER, value.toString(), start, pos);
            }
            value.append(c);
            pos++;
        }
        throw error(start, "unterminated quoted identifier");
    }

    private Token number(int start) {
        int n = sql.length();
        while (pos < n && Character.isDigit(sql.charAt(pos))) {
            pos++;
        }
        if (pos < n && sql.charAt(pos) == '.') {
            pos++;
            while (pos < n && Character.isDigit(sql.charAt(pos))) {
                pos++;
            }
        }
        if (pos < n && (sql.charAt(pos) == 'e' || sql.charAt(pos) == 'E')) {
            int save = pos;
            pos++;
            if (pos < n && (sql.charAt(pos) == '+' || sql.charAt(pos) == '-')) {
                pos++;
            }
            if (pos < n && Character.isDigit(sql.charAt(pos))) {
                while (pos < n && Character.isDigit(sql.charAt(pos))) {
                    pos++;
                }
            } else {
                pos = save;
            }
        }
        return new Token(TokenType.NUMBER, sql.substring(start, pos), start, pos);
    }

    static boolean isIdentifierStart(char c) {
        return Character.isLetter(c) || c == '_' || c == '#';
    }

    static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '#';
    }

    private PgException error(int at, String message) {
        return new PgException(io.extensa.pgwire.ErrorFields.error(SqlState.SYNTAX_ERROR, message)
                .with('P', String.valueOf(at + 1)));
    }
}
