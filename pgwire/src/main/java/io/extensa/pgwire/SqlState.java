package io.extensa.pgwire;

/**
 * The SQLSTATE codes Extensa raises. PostgreSQL's own codes where one fits; class 38
 * ("external routine exception") with Extensa-specific subclasses for script failures.
 * docs/errors.md lists when each is used.
 */
public final class SqlState {

    private SqlState() {
    }

    // PostgreSQL codes
    public static final String SUCCESSFUL_COMPLETION = "00000";
    public static final String WARNING = "01000";
    public static final String CONNECTION_EXCEPTION = "08000";
    public static final String CONNECTION_FAILURE = "08006";
    public static final String SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION = "08001";
    public static final String PROTOCOL_VIOLATION = "08P01";
    public static final String FEATURE_NOT_SUPPORTED = "0A000";
    public static final String DATA_EXCEPTION = "22000";
    public static final String STRING_DATA_RIGHT_TRUNCATION = "22001";
    public static final String NUMERIC_VALUE_OUT_OF_RANGE = "22003";
    public static final String NULL_VALUE_NOT_ALLOWED = "22004";
    public static final String DATETIME_FIELD_OVERFLOW = "22008";
    public static final String INVALID_PARAMETER_VALUE = "22023";
    public static final String INVALID_TEXT_REPRESENTATION = "22P02";
    public static final String INVALID_BINARY_REPRESENTATION = "22P03";
    public static final String CHARACTER_NOT_IN_REPERTOIRE = "22021";
    public static final String ACTIVE_SQL_TRANSACTION = "25001";
    public static final String OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";
    public static final String IN_FAILED_SQL_TRANSACTION = "25P02";
    public static final String NO_ACTIVE_SQL_TRANSACTION = "25P01";
    public static final String INVALID_AUTHORIZATION_SPECIFICATION = "28000";
    public static final String INSUFFICIENT_PRIVILEGE = "42501";
    public static final String SYNTAX_ERROR = "42601";
    public static final String AMBIGUOUS_COLUMN = "42702";
    public static final String UNDEFINED_COLUMN = "42703";
    public static final String UNDEFINED_FUNCTION = "42883";
    public static final String UNDEFINED_OBJECT = "42704";
    public static final String DUPLICATE_OBJECT = "42710";
    public static final String DATATYPE_MISMATCH = "42804";
    public static final String WRONG_OBJECT_TYPE = "42809";
    public static final String INVALID_PARAMETER_REFERENCE = "42P02";
    public static final String UNDEFINED_PARAMETER = "42P02";
    public static final String INSUFFICIENT_RESOURCES = "53000";
    public static final String OUT_OF_MEMORY = "53200";
    public static final String DEPENDENT_OBJECTS_STILL_EXIST = "2BP01";
    public static final String CONFIGURATION_LIMIT_EXCEEDED = "53400";
    public static final String PROGRAM_LIMIT_EXCEEDED = "54000";
    public static final String QUERY_CANCELED = "57014";
    public static final String ADMIN_SHUTDOWN = "57P01";
    public static final String CANNOT_CONNECT_NOW = "57P03";
    public static final String SYSTEM_ERROR = "58000";
    public static final String INTERNAL_ERROR = "XX000";

    // Extensa: class 38, external routine exception
    /** The script raised an error (Python exception, R stop()). */
    public static final String SCRIPT_ERROR = "38000";
    /** The script text does not compile in its language. */
    public static final String SCRIPT_SYNTAX_ERROR = "38S01";
    /** The satellite could not be started or did not connect (SQL Server's Msg 39012). */
    public static final String SATELLITE_LAUNCH_FAILED = "38S02";
    /** The satellite died, exited early, or broke the protocol mid-job. */
    public static final String SATELLITE_FAILED = "38S03";
    /** The script's output does not fit the declared WITH RESULT SETS or target table. */
    public static final String OUTPUT_MISMATCH = "38S04";
    /** A resource pool limit stopped the job (memory, queue wait, wall clock). */
    public static final String RESOURCE_LIMIT = "38S05";
    /** The launchpad stopped (crashed, was killed) while the job ran; it restarts by itself. */
    public static final String LAUNCHPAD_RESTARTED = "38S06";
    /** An external library could not be installed (R compile error, failing install command). */
    public static final String EXTERNAL_LIBRARY_INSTALL_FAILED = "38L01";
}
