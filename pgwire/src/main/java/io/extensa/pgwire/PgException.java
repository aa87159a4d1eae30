package io.extensa.pgwire;

import java.util.Objects;

/**
 * An error to report to the client as an ErrorResponse. Either raised by Extensa (with a
 * SQLSTATE from {@link SqlState}) or relayed from PostgreSQL with all of its fields.
 */
public class PgException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorFields fields;

    public PgException(String sqlState, String message) {
        this(ErrorFields.error(sqlState, message));
    }

    public PgException(String sqlState, String message, Throwable cause) {
        super(message, cause);
        this.fields = ErrorFields.error(sqlState, message);
    }

    public PgException(ErrorFields fields) {
        super(fields.message());
        this.fields = Objects.requireNonNull(fields);
    }

    public ErrorFields fields() {
        return fields;
    }

    public String sqlState() {
        return fields.sqlState();
    }

    public PgException withDetail(String detail) {
        return new PgException(fields.withDetail(detail));
    }

    public PgException withHint(String hint) {
        return new PgException(fields.withHint(hint));
    }
}
