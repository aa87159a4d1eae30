package io.extensa.engine;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the engine reaches its collaborators.
 *
 * @param launchpadSocket   the launchpad's control socket
 * @param jobSocketDirectory where per-job satellite sockets are created (short path: sun_path holds 107 bytes)
 * @param satelliteConnectTimeout how long a launched satellite may take to connect and say HELLO
 * @param version           Extensa's version, reported by sp_extensa_info
 */
public record EngineConfig(Path launchpadSocket, Path jobSocketDirectory, Duration satelliteConnectTimeout,
                           String version) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(60);
}
