package io.extensa.runtime.python;

import io.extensa.spi.LanguageRuntime;
import io.extensa.spi.SatelliteCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PythonRuntimeTest {

    private static final Path PYTHON_SOURCES = Path.of("src/main/python");

    @Test
    void filesListsEveryModuleOfThePackage() throws IOException {
        Set<String> listed = Files.readAllLines(PYTHON_SOURCES.resolve("FILES"), StandardCharsets.UTF_8).stream()
                .map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> present;
        try (Stream<Path> walk = Files.walk(PYTHON_SOURCES)) {
            present = walk.filter(Files::isRegularFile)
                    .map(p -> PYTHON_SOURCES.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !p.equals("FILES") && !p.contains("__pycache__") && !p.endsWith(".pyc"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(listed).as("src/main/python/FILES must list exactly the shipped files").isEqualTo(present);
    }

    @Test
    void serviceLoaderFindsIt() {
        List<String> names = ServiceLoader.load(LanguageRuntime.class).stream()
                .map(p -> p.get().name()).toList();
        assertThat(names).contains("Python");
    }

    @Test
    void commandsRunTheBootstrapIsolated(@TempDir Path home) {
        PythonRuntime runtime = new PythonRuntime();
        TestRuntimeContext context = new TestRuntimeContext(home, Map.of());
        SatelliteCommand satellite = runtime.satelliteCommand(context);
        assertThat(satellite.argv()).containsExactly("/usr/bin/python3", "-I", "-B",
                home.resolve("extensa_bootstrap.py").toString(), "satellite");
        assertThat(satellite.environment()).isEmpty();
        assertThat(home.resolve("extensa/_satellite.py")).isRegularFile();
        assertThat(runtime.forkServerCommand(context)).get()
                .extracting(c -> c.argv().get(4)).isEqualTo("forkserver");
    }

    @Test
    void interpreterComesFromTheSettings(@TempDir Path home) throws IOException {
        Path fake = Files.createFile(home.resolve("python-custom"));
        fake.toFile().setExecutable(true);
        SatelliteCommand command = new PythonRuntime()
                .satelliteCommand(new TestRuntimeContext(home.resolve("rt"), Map.of("interpreter", fake.toString())));
        assertThat(command.argv().get(0)).isEqualTo(fake.toString());
        assertThatThrownBy(() -> new PythonRuntime().satelliteCommand(
                new TestRuntimeContext(home, Map.of("interpreter", "/nonexistent/python3"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("language.python.interpreter = /nonexistent/python3 is not an executable");
        assertThatThrownBy(() -> new PythonRuntime().satelliteCommand(
                new TestRuntimeContext(home, Map.of("interpreter", " "))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("empty");
    }

    @Test
    void preloadReachesOnlyTheForkServerAndRefusesNonModules(@TempDir Path home) {
        PythonRuntime runtime = new PythonRuntime();
        TestRuntimeContext context = new TestRuntimeContext(home, Map.of("preload", " sklearn.linear_model , scipy "));
        assertThat(runtime.forkServerCommand(context).orElseThrow().environment())
                .containsEntry(PythonRuntime.PRELOAD_VARIABLE, "sklearn.linear_model,scipy");
        assertThat(runtime.satelliteCommand(context).environment()).doesNotContainKey(PythonRuntime.PRELOAD_VARIABLE);
        assertThatThrownBy(() -> runtime.forkServerCommand(new TestRuntimeContext(home,
                Map.of("preload", "os; import shutil"))))
                .hasMessageContaining("'os; import shutil' is not a module name");
    }
}
