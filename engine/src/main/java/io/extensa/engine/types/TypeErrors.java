package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;

/** The errors of type mapping, worded the way PostgreSQL words its own where one exists. */
final class TypeErrors {

    /** PostgreSQL's invalid_datetime_format, not (yet) in {@link SqlState}. */
    static final String INVALID_DATETIME_FORMAT = "22007";
    /** PostgreSQL's invalid_time_zone_displacement_value, not (yet) in {@link SqlState}. */
    static final String INVALID_TIME_ZONE_DISPLACEMENT = "22009";
    /** PostgreSQL's untranslatable_character, not (yet) in {@link SqlState}. */
    static final String UNTRANSLATABLE_CHARACTER = "22P05";

    private TypeErrors() {
    }

    /** {@code column "x", row 12: message}; row numbers below 1 are left out. */
    static PgException value(String sqlState, String column, long rowNumber, String message) {
        return new PgException(sqlState, where(column, rowNumber) + message);
    }

    static String where(String column, long rowNumber) {
        return rowNumber > 0 ? "column \"" + column + "\", row " + rowNumber + ": " : "column \"" + column + "\": ";
    }

    static PgException outOfRange(String column, long rowNumber, String message) {
        return value(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, column, rowNumber, message);
    }

    static PgException badBinary(String column, String message) {
        return new PgException(SqlState.INVALID_BINARY_REPRESENTATION, "column \"" + column + "\": " + message);
    }

    /** A value shown in a message: quoted, shortened when long. */
    static String show(CharSequence value) {
        String s = value.toString();
        if (s.length() > 200) {
            s = s.substring(0, 200) + "...";
        }
        return "\"" + s + "\"";
    }

    /** A column reference for a cast hint: bare when it needs no quotes. */
    static String columnReference(String column) {
        if (!column.isEmpty() && column.chars().allMatch(c -> c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                && !Character.isDigit(column.charAt(0))) {
            return column;
        }
        return PgType.quoteIdentifier(column);
    }
}
