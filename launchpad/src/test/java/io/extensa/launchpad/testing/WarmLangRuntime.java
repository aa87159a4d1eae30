package io.extensa.launchpad.testing;

import io.extensa.spi.RuntimeContext;
import io.extensa.spi.SatelliteCommand;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The test language with a fork server (fork_server.py). Setting {@code fork_server_mode}
 * ("silent", "garbage") makes the fork server misbehave.
 */
public class WarmLangRuntime extends TestLangRuntime {

    public static final String NAME = "WarmLang";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<SatelliteCommand> forkServerCommand(RuntimeContext context) {
        Path home = unpack(context);
        return Optional.of(new SatelliteCommand(List.of(interpreter(context), home.resolve("fork_server.py").toString()),
                Map.of("FORK_SERVER_MODE", context.setting("fork_server_mode").orElse(""),
                        "PYTHONDONTWRITEBYTECODE", "1")));
    }
}
