package io.extensa.engine.loopback;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Refuses, before they reach PostgreSQL, the statements a script must not send back on the
 * caller's connection: those that change identity (SET ROLE, RESET ROLE, SET SESSION
 * AUTHORIZATION, RESET ALL, DISCARD) and transaction control (the caller owns the transaction).
 * This is a first line only, for a clear message; {@link IdentityState} checks the effective
 * state after every statement, which also catches set_config('role', ...) and functions.
 */
public final class StatementScreen {

    private StatementScreen() {
    }

    /** Why the statement is refused, or empty when it may run. */
    public static Optional<String> refusal(String sql) {
        List<String> words = leadingWords(sql, 4);
        if (words.isEmpty()) {
            return Optional.empty();
        }
        String first = words.get(0);
        switch (first) {
            case "begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release" -> {
                return Optional.of("transaction control (" + first.toUpperCase(Locale.ROOT)
                        + ") is not allowed: the script runs inside the caller's transaction");
            }
            case "prepare" -> {
                if (words.size() > 1 && words.get(1).equals("transaction")) {
                    return Optional.of("PREPARE TRANSACTION is not allowed: the script runs inside the caller's "
                            + "transaction");
                }
            }
            case "discard" -> {
                return Optional.of("DISCARD is not allowed: it would reset the caller's session");
            }
            case "copy" -> {
                return Optional.of("COPY is not available to loopback statements; use SELECT or INSERT");
            }
            case "set" -> {
                if (changesIdentity(words, 1)) {
                    return Optional.of("SET " + String.join(" ", words.subList(1, Math.min(3, words.size())))
                            .toUpperCase(Locale.ROOT) + " is not allowed: a script cannot change the identity it runs as");
                }
                int i = 1;
                if (i < words.size() && (words.get(i).equals("session") || words.get(i).equals("local"))) {
                    i++;
                }
                if (changesEncoding(words, i)) {
                    return Optional.of("SET " + words.get(i).toUpperCase(Locale.ROOT) + " is not allowed: the "
                            + "caller's session keeps its client encoding");
                }
                if (i < words.size() && changesIdentity(words, i)) {
                    return Optional.of("SET " + String.join(" ", words.subList(1, i + 1)).toUpperCase(Locale.ROOT)
                            + " is not allowed: a script cannot change the identity it runs as");
                }
            }
            case "reset" -> {
                if (changesEncoding(words, 1)) {
                    return Optional.of("RESET CLIENT_ENCODING is not allowed: the caller's session keeps its client "
                            + "encoding");
                }
                if (words.size() > 1 && (words.get(1).equals("all") || changesIdentity(words, 1))) {
                    return Optional.of("RESET " + words.get(1).toUpperCase(Locale.ROOT)
                            + " is not allowed: a script cannot change the identity it runs as");
                }
            }
            default -> {
                // anything else runs; the effective identity is checked afterwards
            }
        }
        return Optional.empty();
    }

    /** The caller's driver and the gateway depend on the session's encoding. */
    private static boolean changesEncoding(List<String> words, int i) {
        return i < words.size() && (words.get(i).equals("client_encoding") || words.get(i).equals("names"));
    }

    private static boolean changesIdentity(List<String> words, int i) {
        String w = words.get(i);
        return w.equals("role") || w.equals("session_authorization")
                || w.equals("session") && i + 1 < words.size() && words.get(i + 1).equals("authorization");
    }

    /**
     * The first words of the statement, lower case, skipping white space and comments; a quoted
     * identifier counts as its content (so {@code SET "role"} is seen as SET ROLE).
     */
    static List<String> leadingWords(String sql, int max) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n && words.size() < max) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == '(' || c == ';') {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                i = skipBlockComment(sql, i + 2);
            } else if (c == '"') {
                int end = sql.indexOf('"', i + 1);
                end = end < 0 ? n : end;
                words.add(sql.substring(i + 1, end).toLowerCase(Locale.ROOT));
                i = end + 1;
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
                    i++;
                }
                words.add(sql.substring(start, i).toLowerCase(Locale.ROOT));
            } else {
                break;
            }
        }
        return words;
    }

    /** Block comments nest in PostgreSQL. */
    private static int skipBlockComment(String sql, int i) {
        int depth = 1;
        int n = sql.length();
        while (i < n && depth > 0) {
            if (sql.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (sql.startsWith("*/", i)) {
                depth--;
                i += 2;
            } else {
                i++;
            }
        }
        return i;
    }
}
