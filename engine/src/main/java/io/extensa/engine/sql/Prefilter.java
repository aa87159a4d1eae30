package io.extensa.engine.sql;

/**
 * The byte-level test the gateway runs on every Query and Parse. It answers "maybe" for SQL that
 * contains an '@' (T-SQL variables) or, in any letter case, "exec", "external", "sp_", "print" or
 * "reconfigure", and "no"
 * for everything else, which is then relayed without being decoded. False positives only cost a
 * parse; a false negative would lose a statement, so the test errs towards "maybe".
 */
public final class Prefilter {

    private Prefilter() {
    }

    public static boolean mayBeExtensa(byte[] sql, int offset, int length) {
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            int c = sql[i];
            if (c == '@') {
                return true;
            }
            int lower = c | 0x20;
            if (lower == 'e' && (matches(sql, i + 1, end, "xec") || matches(sql, i + 1, end, "xternal"))
                    || lower == 's' && i + 2 < end && (sql[i + 1] | 0x20) == 'p' && sql[i + 2] == '_'
                    || lower == 'p' && matches(sql, i + 1, end, "rint")
                    || lower == 'r' && matches(sql, i + 1, end, "econfigure")) {
                return true;
            }
        }
        return false;
    }

    /** Case-insensitive match of an ASCII lower-case word at {@code from}. */
    private static boolean matches(byte[] sql, int from, int end, String word) {
        if (from + word.length() > end) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            if ((sql[from + k] | 0x20) != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
