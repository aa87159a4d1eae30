package io.extensa.engine.monitor;

/**
 * What is known about a script request when it begins.
 *
 * @param requestId  the job id (names the job directory and socket)
 * @param backendPid the caller's PostgreSQL backend, joinable with pg_stat_activity.pid
 * @param pool       the external resource pool ("default" until pools exist)
 */
public record RequestInfo(String requestId, long sessionId, int backendPid, String user, String database,
                          String language, String pool, int degreeOfParallelism) {
}
