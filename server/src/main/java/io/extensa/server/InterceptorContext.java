package io.extensa.server;

import io.extensa.pgwire.BackendAddress;
import io.extensa.server.datadir.DataDirectory;
import java.nio.file.Path;
import java.time.Instant;

/**
 * What the engine gets from the server when it is wired into the gateway: where the launchpad
 * listens, where job sockets and working directories go, which PostgreSQL the gateway relays to.
 *
 * @param config          the resolved configuration (language.* settings included)
 * @param dataDirectory   the data directory layout (run/jobs for per-job engine sockets)
 * @param launchpadSocket the launchpad's control socket
 * @param backend         the PostgreSQL the gateway relays to
 * @param startedAt       when the server started (for uptime)
 * @param version         Extensa's version
 */
public record InterceptorContext(
        ServerConfig config,
        DataDirectory dataDirectory,
        Path launchpadSocket,
        BackendAddress backend,
        Instant startedAt,
        String version) {
}
