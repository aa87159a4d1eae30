package io.extensa.protocol.launch;

/**
 * The {@code kind} of an ERROR on the launch-control channel, and the kinds the client adds for
 * failures it detects itself. Engines map them to SQLSTATEs; humans read the message.
 */
public final class LaunchErrorKind {

    /** The request named a language that is not installed or not enabled. */
    public static final String UNKNOWN_LANGUAGE = "unknown_language";
    /** The satellite could not be started (missing interpreter, job directory, fork failure). */
    public static final String LAUNCH_FAILED = "launch_failed";
    /** The request was malformed or invalid (bad job id, duplicate job, wrong message). */
    public static final String BAD_REQUEST = "bad_request";
    /** The launchpad is at its limit of concurrent jobs or is shutting down. */
    public static final String BUSY = "busy";
    /** The request named a resource pool the launchpad does not have (or it was dropped while the request waited). */
    public static final String UNKNOWN_POOL = "unknown_pool";
    /** The pool's queue of requests waiting for a free slot (MAX_PROCESSES) is full. */
    public static final String POOL_QUEUE_FULL = "pool_queue_full";
    /** The request waited for a free slot in its pool longer than the queue timeout. */
    public static final String POOL_TIMEOUT = "pool_timeout";

    /** Client side: the launchpad's socket could not be reached. */
    public static final String CONNECTION_FAILED = "connection_failed";
    /** Client side: the connection broke before the expected message arrived. */
    public static final String CONNECTION_LOST = "connection_lost";
    /** Client side: no reply within the client's reply timeout. */
    public static final String NO_REPLY = "no_reply";
    /** Client side: the launchpad sent something the protocol does not allow here. */
    public static final String PROTOCOL_VIOLATION = "protocol_violation";
    /** Client side: the job handle was closed before the satellite exited. */
    public static final String CLOSED = "closed";

    /** Fork-server side: the fork server could not fork the requested child. */
    public static final String FORK_FAILED = "fork_failed";

    private LaunchErrorKind() {
    }
}
