package io.extensa.pgwire.intercept;

import java.net.SocketAddress;
import java.time.Instant;

/** What Extensa knows about a client session, for the engine and for logging. */
public interface ClientSession {

    /** Gateway-wide unique id of this session. */
    long sessionId();

    /** The role named in the startup packet (PostgreSQL authenticated it). */
    String user();

    String database();

    /** The backend process serving this session (what {@code pg_backend_pid()} returns). */
    int backendPid();

    SocketAddress remoteAddress();

    Instant connectedAt();

    /** The latest ParameterStatus value PostgreSQL reported (server_version, TimeZone, DateStyle, ...), or null. */
    String parameterStatus(String name);
}
