package io.extensa.engine.script;

import io.extensa.engine.catalog.ServerConfiguration;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;

/**
 * The wall-clock limit of one call: the shorter of the caller's {@code statement_timeout} and the
 * server's {@code sp_configure 'external scripts timeout'}. It counts from the moment the call asks
 * for a satellite, so a wait in its pool's queue counts too; when it passes, the satellite's whole
 * process tree is killed and the call fails with 57014 naming the limit that expired.
 */
record CallDeadline(long millis, Source source) {

    enum Source { NONE, STATEMENT_TIMEOUT, SCRIPTS_TIMEOUT }

    static final CallDeadline NONE = new CallDeadline(0, Source.NONE);

    /** @param statementTimeoutMillis the caller's statement_timeout, 0 for none
     *  @param scriptsTimeoutMillis   'external scripts timeout' in milliseconds, 0 for none */
    static CallDeadline of(long statementTimeoutMillis, long scriptsTimeoutMillis) {
        if (scriptsTimeoutMillis > 0 && (statementTimeoutMillis <= 0 || scriptsTimeoutMillis < statementTimeoutMillis)) {
            return new CallDeadline(scriptsTimeoutMillis, Source.SCRIPTS_TIMEOUT);
        }
        if (statementTimeoutMillis > 0) {
            return new CallDeadline(statementTimeoutMillis, Source.STATEMENT_TIMEOUT);
        }
        return NONE;
    }

    boolean isSet() {
        return millis > 0;
    }

    /** The error of a call stopped by this limit. */
    PgException expired() {
        if (source == Source.SCRIPTS_TIMEOUT) {
            return new PgException(SqlState.QUERY_CANCELED, "canceling statement due to external scripts timeout:"
                    + " the call ran longer than " + seconds() + " s (sp_configure '"
                    + ServerConfiguration.EXTERNAL_SCRIPTS_TIMEOUT + "')")
                    .withHint("a superuser can raise the limit: EXEC sp_configure '"
                            + ServerConfiguration.EXTERNAL_SCRIPTS_TIMEOUT + "', <seconds>; RECONFIGURE (0: none)");
        }
        return new PgException(SqlState.QUERY_CANCELED, "canceling statement due to statement timeout");
    }

    private String seconds() {
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : String.format(java.util.Locale.ROOT, "%.3f",
                millis / 1000.0);
    }
}
