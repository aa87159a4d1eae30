package io.extensa.launchpad.lang;

import io.extensa.spi.LanguageRuntime;
import io.extensa.spi.SatelliteCommand;

import java.util.Optional;

/**
 * An enabled language with its commands resolved once at start-up. A runtime that failed to
 * produce its satellite command stays listed but every launch fails with the reason.
 */
public final class Language {

    private final String name;
    private final LanguageRuntime runtime;
    private final LanguageContext context;
    private final SatelliteCommand satelliteCommand;
    private final String unavailableReason;
    private final SatelliteCommand forkServerCommand;

    Language(String name, LanguageRuntime runtime, LanguageContext context, SatelliteCommand satelliteCommand,
             String unavailableReason, SatelliteCommand forkServerCommand) {
        this.name = name;
        this.runtime = runtime;
        this.context = context;
        this.satelliteCommand = satelliteCommand;
        this.unavailableReason = unavailableReason;
        this.forkServerCommand = forkServerCommand;
    }

    public String name() {
        return name;
    }

    public LanguageRuntime runtime() {
        return runtime;
    }

    public LanguageContext context() {
        return context;
    }

    /** The cold-start command, empty when the runtime could not provide one (see {@link #unavailableReason()}). */
    public Optional<SatelliteCommand> satelliteCommand() {
        return Optional.ofNullable(satelliteCommand);
    }

    public Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailableReason);
    }

    /** The fork-server command, empty when the runtime has none or warm start is disabled. */
    public Optional<SatelliteCommand> forkServerCommand() {
        return Optional.ofNullable(forkServerCommand);
    }

    @Override
    public String toString() {
        return name;
    }
}
