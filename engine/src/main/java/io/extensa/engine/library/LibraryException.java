package io.extensa.engine.library;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;

/** A library that cannot be accepted or installed; the message says why in the user's terms. */
public final class LibraryException extends Exception {

    private final String sqlState;

    LibraryException(String sqlState, String message) {
        super(message);
        this.sqlState = sqlState;
    }

    static LibraryException corrupt(String why) {
        return new LibraryException(SqlState.INVALID_PARAMETER_VALUE, "the library content is not a valid archive: "
                + why);
    }

    static LibraryException invalid(String why) {
        return new LibraryException(SqlState.INVALID_PARAMETER_VALUE, why);
    }

    static LibraryException installFailed(String why) {
        return new LibraryException(SqlState.EXTERNAL_LIBRARY_INSTALL_FAILED, why);
    }

    public PgException toPgException(String library) {
        return new PgException(sqlState, "external library \"" + library + "\": " + getMessage());
    }
}
