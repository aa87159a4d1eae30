package io.extensa.pgwire.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a simple-query string into statements at top-level semicolons, the way PostgreSQL's
 * lexer sees them: semicolons inside 'strings' (with '' and E'\'' escapes), "identifiers",
 * $tag$ dollar quotes $tag$, -- line comments and nested block comments do not count.
 * Empty statements are dropped; a string with no statement yields one empty element so that the
 * caller can still relay it (PostgreSQL answers EmptyQueryResponse).
 */
public final class SqlSplitter {

    private SqlSplitter() {
    }

    public static List<String> split(String sql) {
        List<String> statements = new ArrayList<>();
        int n = sql.length();
        int start = 0;
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'') {
                i = skipQuoted(sql, i, isEscapeString(sql, i));
            } else if (c == '"') {
                i = skipQuoted(sql, i, false);
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int nl = sql.indexOf('\n', i);
                i = nl < 0 ? n : nl + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                i = skipBlockComment(sql, i);
            } else if (c == '$') {
                i = skipDollarQuote(sql, i);
            } else if (c == ';') {
                add(statements, sql.substring(start, i));
                start = ++i;
            } else {
                i++;
            }
        }
        add(statements, sql.substring(Math.min(start, n)));
        if (statements.isEmpty()) {
            statements.add("");
        }
        return statements;
    }

    private static void add(List<String> statements, String piece) {
        if (!piece.isBlank() && !isOnlyComments(piece)) {
            statements.add(piece.strip());
        }
    }

    /** E'...' or e'...' (not part of a longer identifier such as "name'..."). */
    private static boolean isEscapeString(String sql, int quote) {
        if (quote == 0) {
            return false;
        }
        char p = sql.charAt(quote - 1);
        if (p != 'E' && p != 'e') {
            return false;
        }
        return quote < 2 || !isIdentifierChar(sql.charAt(quote - 2));
    }

    private static int skipQuoted(String sql, int open, boolean backslashEscapes) {
        char q = sql.charAt(open);
        int i = open + 1;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
            } else if (c == q) {
                if (i + 1 < n && sql.charAt(i + 1) == q) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return n;
    }

    private static int skipBlockComment(String sql, int open) {
        int depth = 0;
        int i = open;
        int n = sql.length();
        while (i < n) {
            if (sql.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (sql.startsWith("*/", i)) {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return n;
    }

    /** $tag$ ... $tag$ where tag is empty or an identifier not starting with a digit; $1 is a parameter. */
    private static int skipDollarQuote(String sql, int open) {
        if (open > 0 && isIdentifierChar(sql.charAt(open - 1))) {
            return open + 1;
        }
        int i = open + 1;
        int n = sql.length();
        if (i < n && Character.isDigit(sql.charAt(i))) {
            return i;
        }
        while (i < n && isIdentifierChar(sql.charAt(i))) {
            i++;
        }
        if (i >= n || sql.charAt(i) != '$') {
            return open + 1;
        }
        String tag = sql.substring(open, i + 1);
        int close = sql.indexOf(tag, i + 1);
        return close < 0 ? n : close + tag.length();
    }

    private static boolean isIdentifierChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c > 127;
    }

    private static boolean isOnlyComments(String piece) {
        int i = 0;
        int n = piece.length();
        while (i < n) {
            char c = piece.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (piece.startsWith("--", i)) {
                int nl = piece.indexOf('\n', i);
                i = nl < 0 ? n : nl + 1;
            } else if (piece.startsWith("/*", i)) {
                i = skipBlockComment(piece, i);
            } else {
                return false;
            }
        }
        return true;
    }
}
