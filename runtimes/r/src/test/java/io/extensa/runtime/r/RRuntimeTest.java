package io.extensa.runtime.r;

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

class RRuntimeTest {

    private static final Path R_SOURCES = Path.of("src/main/r");

    @Test
    void filesListsEverySourceAndTheNativeHelper() throws IOException {
        Set<String> listed = Files.readAllLines(R_SOURCES.resolve("FILES"), StandardCharsets.UTF_8).stream()
                .map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> present;
        try (Stream<Path> walk = Files.walk(R_SOURCES)) {
            present = walk.filter(Files::isRegularFile)
                    .map(p -> R_SOURCES.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !p.equals("FILES"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        present.add(RRuntime.NATIVE_HELPER);
        assertThat(listed).as("src/main/r/FILES must list exactly the shipped files").isEqualTo(present);
    }

    @Test
    void theBootstrapSourcesEveryRFile() throws IOException {
        String bootstrap = Files.readString(R_SOURCES.resolve(RRuntime.BOOTSTRAP));
        try (Stream<Path> files = Files.list(R_SOURCES.resolve("extensa"))) {
            for (String name : files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".R")).toList()) {
                assertThat(bootstrap).contains("\"" + name + "\"");
            }
        }
    }

    @Test
    void serviceLoaderFindsIt() {
        List<String> names = ServiceLoader.load(LanguageRuntime.class).stream().map(p -> p.get().name()).toList();
        assertThat(names).contains("R");
    }

    @Test
    void commandsRunTheBootstrapWithVanillaRscript(@TempDir Path home) {
        RRuntime runtime = new RRuntime();
        TestRuntimeContext context = new TestRuntimeContext(home, Map.of());
        SatelliteCommand satellite = runtime.satelliteCommand(context);
        assertThat(satellite.argv()).containsExactly("/usr/bin/Rscript", "--vanilla", "--min-nsize=2M", "--min-vsize=128M",
                home.resolve("extensa_bootstrap.R").toString(), "satellite");
        assertThat(satellite.environment()).isEmpty();
        assertThat(home.resolve("extensa/satellite.R")).isRegularFile();
        assertThat(home.resolve(RRuntime.NATIVE_HELPER)).isRegularFile();
        assertThat(runtime.forkServerCommand(context)).get().extracting(c -> c.argv().get(5)).isEqualTo("forkserver");
    }

    @Test
    void rscriptComesFromTheSettings(@TempDir Path home) throws IOException {
        Path fake = Files.createFile(home.resolve("Rscript-custom"));
        fake.toFile().setExecutable(true);
        SatelliteCommand command = new RRuntime()
                .satelliteCommand(new TestRuntimeContext(home.resolve("rt"), Map.of("rscript", fake.toString())));
        assertThat(command.argv().get(0)).isEqualTo(fake.toString());
        assertThatThrownBy(() -> new RRuntime().satelliteCommand(
                new TestRuntimeContext(home, Map.of("rscript", "/nonexistent/Rscript"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("language.r.rscript = /nonexistent/Rscript is not an executable");
        assertThatThrownBy(() -> new RRuntime().satelliteCommand(new TestRuntimeContext(home, Map.of("rscript", " "))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("empty");
    }
}
