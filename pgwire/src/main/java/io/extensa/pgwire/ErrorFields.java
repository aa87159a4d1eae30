package io.extensa.pgwire;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of an ErrorResponse or NoticeResponse, keyed by PostgreSQL's one-byte field codes
 * ('S' severity, 'V' non-localized severity, 'C' SQLSTATE, 'M' message, 'D' detail, 'H' hint,
 * 'P' position, 'W' where, ...), in the order they were set.
 */
public record ErrorFields(Map<Character, String> values) {

    public ErrorFields {
        values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static ErrorFields error(String sqlState, String message) {
        return of("ERROR", sqlState, message);
    }

    public static ErrorFields notice(String severity, String sqlState, String message) {
        return of(severity, sqlState, message);
    }

    private static ErrorFields of(String severity, String sqlState, String message) {
        Map<Character, String> m = new LinkedHashMap<>();
        m.put('S', severity);
        m.put('V', severity);
        m.put('C', sqlState);
        m.put('M', message);
        return new ErrorFields(m);
    }

    public String sqlState() {
        return values.getOrDefault('C', SqlState.INTERNAL_ERROR);
    }

    public String message() {
        return values.getOrDefault('M', "");
    }

    public String severity() {
        return values.getOrDefault('V', values.getOrDefault('S', "ERROR"));
    }

    public String detail() {
        return values.get('D');
    }

    public String hint() {
        return values.get('H');
    }

    public ErrorFields with(char code, String value) {
        Map<Character, String> m = new LinkedHashMap<>(values);
        if (value == null) {
            m.remove(code);
        } else {
            m.put(code, value);
        }
        return new ErrorFields(m);
    }

    public ErrorFields withDetail(String detail) {
        return with('D', detail);
    }

    public ErrorFields withHint(String hint) {
        return with('H', hint);
    }
}
