package io.extensa.launchpad.testing;

import io.extensa.spi.LanguageRuntime;
import io.extensa.spi.RuntimeContext;
import io.extensa.spi.SatelliteCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A test language whose satellite is fake_satellite.py run by /usr/bin/python3 (setting
 * {@code interpreter} overrides it). Cold start only.
 */
public class TestLangRuntime implements LanguageRuntime {

    public static final String NAME = "TestLang";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SatelliteCommand satelliteCommand(RuntimeContext context) {
        Path home = unpack(context);
        return new SatelliteCommand(List.of(interpreter(context), home.resolve("fake_satellite.py").toString()),
                Map.of("TESTLANG_HOME", home.toString(), "PYTHONDONTWRITEBYTECODE", "1"));
    }

    static String interpreter(RuntimeContext context) {
        return context.setting("interpreter").orElse("/usr/bin/python3");
    }

    static Path unpack(RuntimeContext context) {
        try {
            return context.unpack(TestLangRuntime.class.getClassLoader(), "testlang");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
