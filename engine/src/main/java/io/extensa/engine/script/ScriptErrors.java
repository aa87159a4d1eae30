package io.extensa.engine.script;

import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.protocol.message.ErrorMessage;

/**
 * Turns a satellite's ERROR into the client's ErrorResponse. The message keeps SQL Server's
 * wording so that people who know it recognize it, but it carries the actual exception, and the
 * script's traceback goes into DETAIL instead of being cut off.
 */
final class ScriptErrors {

    private ScriptErrors() {
    }

    static PgException fromSatellite(String language, ErrorMessage error) {
        String sqlState = switch (error.errorKind()) {
            case SCRIPT, EXIT -> SqlState.SCRIPT_ERROR;
            case SYNTAX -> SqlState.SCRIPT_SYNTAX_ERROR;
            case CANCELLED -> SqlState.QUERY_CANCELED;
            case TYPE -> SqlState.OUTPUT_MISMATCH;
            default -> SqlState.SATELLITE_FAILED;
        };
        if (sqlState.equals(SqlState.QUERY_CANCELED)) {
            return new PgException(sqlState, "canceling statement due to user request");
        }
        String what = error.exception() == null || error.exception().isBlank()
                ? error.message() : error.exception() + ": " + error.message();
        String message = switch (error.errorKind()) {
            case SCRIPT, EXIT, SYNTAX -> "A '" + language
                    + "' script error occurred during execution of 'sp_execute_external_script': " + what;
            case TYPE -> "The '" + language + "' script's output cannot be returned: " + what;
            default -> "The '" + language + "' runtime failed during execution of 'sp_execute_external_script': "
                    + what;
        };
        ErrorFields fields = ErrorFields.error(sqlState, message);
        StringBuilder detail = new StringBuilder();
        for (String line : error.traceback()) {
            detail.append(line.stripTrailing()).append('\n');
        }
        if (error.detail() != null && !error.detail().isBlank()) {
            detail.append(error.detail().strip()).append('\n');
        }
        if (!detail.isEmpty()) {
            fields = fields.withDetail(detail.toString().stripTrailing());
        }
        if (error.line() > 0) {
            fields = fields.with('W', "line " + error.line() + " of the " + language + " script");
        }
        return new PgException(fields);
    }

    static PgException protocol(String language, String what) {
        return new PgException(SqlState.SATELLITE_FAILED,
                "the '" + language + "' runtime broke the satellite protocol: " + what);
    }
}
