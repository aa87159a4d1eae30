package io.extensa.engine;

import java.nio.file.Path;
import io.extensa.engine.catalog.CatalogConfig;
import java.time.Duration;
import java.util.Optional;

/**
 * How the engine reaches its collaborators.
 *
 * @param launchpadSocket   the launchpad's control socket
 * @param jobSocketDirectory where per-job satellite sockets are created (short path: sun_path holds 107 bytes)
 * @param satelliteConnectTimeout how long a launched satellite may take to connect and say HELLO
 * @param version           Extensa's version, reported by sp_extensa_info
 * @param catalog           the service connection to Extensa's catalog; empty disables catalog features
 * @param scriptsEnabledByDefault the initial 'external scripts enabled' (on for the embedded default,
 *                          off on an existing PostgreSQL, as SQL Server ships it)
 * @param libraryDirectory  where external libraries are installed (DIR/libraries); null disables them
 * @param rCommand          the R executable that installs R libraries ({@code R CMD INSTALL})
 */
public record EngineConfig(Path launchpadSocket, Path jobSocketDirectory, Duration satelliteConnectTimeout,
                           String version, Optional<CatalogConfig> catalog, boolean scriptsEnabledByDefault,
                           Path libraryDirectory, String rCommand) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(60);
    public static final String DEFAULT_R_COMMAND = "R";

    /** Without external libraries. */
    public EngineConfig(Path launchpadSocket, Path jobSocketDirectory, Duration satelliteConnectTimeout,
                        String version, Optional<CatalogConfig> catalog, boolean scriptsEnabledByDefault) {
        this(launchpadSocket, jobSocketDirectory, satelliteConnectTimeout, version, catalog, scriptsEnabledByDefault,
                null, DEFAULT_R_COMMAND);
    }
}
