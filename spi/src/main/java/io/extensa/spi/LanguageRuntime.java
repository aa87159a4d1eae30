package io.extensa.spi;

import java.util.Optional;

/**
 * A language that Extensa can run scripts in. Implementations are found with
 * {@link java.util.ServiceLoader} on the launchpad's class path and enabled by configuration,
 * so adding a language touches neither the engine nor the launchpad.
 */
public interface LanguageRuntime {

    /** The name used in {@code @language}, matched case-insensitively, e.g. {@code Python}. */
    String name();

    /**
     * The command that starts one satellite for one job (the cold path). The satellite finds
     * its job socket, job id and secret in the environment the launchpad adds
     * ({@code EXTENSA_JOB_SOCKET}, {@code EXTENSA_JOB_ID}, {@code EXTENSA_JOB_SECRET}).
     */
    SatelliteCommand satelliteCommand(RuntimeContext context);

    /**
     * The command that starts this language's fork server (the warm path), or empty when the
     * runtime has none and every job is started cold.
     */
    default Optional<SatelliteCommand> forkServerCommand(RuntimeContext context) {
        return Optional.empty();
    }
}
