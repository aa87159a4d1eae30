package io.extensa.launchpad;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LaunchpadConfigTest {

    @TempDir
    Path temp;

    private LaunchpadConfig config(Map<String, String> settings) {
        return LaunchpadConfig.of(temp.resolve("s.sock"), temp.resolve("jobs"), temp.resolve("rt")).withSettings(settings);
    }

    @Test
    void readsKeyValueFiles() throws Exception {
        Path file = Files.writeString(temp.resolve("extensa.conf"), """
                # comment
                launchpad.warm = false
                launchpad.max_jobs=12
                language.python.interpreter = /usr/bin/python3
                language.python.enabled = yes
                """);
        LaunchpadConfig config = config(LaunchpadConfig.readSettings(file));
        assertThat(config.warm()).isFalse();
        assertThat(config.maxJobs()).isEqualTo(12);
        assertThat(config.languageSettings("Python"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("interpreter", "/usr/bin/python3", "enabled", "yes"));
        config.validate();
    }

    @Test
    void defaults() {
        LaunchpadConfig config = config(Map.of());
        assertThat(config.warm()).isTrue();
        assertThat(config.maxJobs()).isEqualTo(256);
        assertThat(config.outputTailBytes()).isEqualTo(8192);
        assertThat(config.killTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.allowedUsers()).contains(System.getProperty("user.name"), "root");
        assertThat(config.setsid()).isEqualTo(Path.of("/usr/bin/setsid"));
    }

    @Test
    void badValuesFailTheStartWithTheKey() {
        assertThatThrownBy(() -> config(Map.of(LaunchpadConfig.WARM, "maybe")).validate())
                .hasMessageContaining("launchpad.warm = 'maybe' is not a boolean");
        assertThatThrownBy(() -> config(Map.of(LaunchpadConfig.MAX_JOBS, "0")).validate())
                .hasMessageContaining("launchpad.max_jobs = 0 is outside 1..100000");
        assertThatThrownBy(() -> config(Map.of(LaunchpadConfig.FORK_TIMEOUT_MS, "soon")).validate())
                .hasMessageContaining("is not a whole number");
        assertThatThrownBy(() -> config(Map.of("language.r.enabled", "nope")).validate())
                .hasMessageContaining("language.r.enabled");
    }

    @Test
    void unknownLaunchpadKeysAreReported() {
        assertThat(config(Map.of("launchpad.wram", "true", "language.x.y", "z", "gateway.port", "1")).unknownLaunchpadKeys())
                .containsExactly("launchpad.wram");
    }

    @Test
    void mainParsesItsArguments() {
        assertThat(LaunchpadMain.parse(new String[] {"--socket", "/s", "--jobs-dir", "/j", "--runtime-dir", "/r"}))
                .containsEntry("--socket", "/s").containsEntry("--jobs-dir", "/j").containsEntry("--runtime-dir", "/r");
        assertThatThrownBy(() -> LaunchpadMain.parse(new String[] {"--socket", "/s"}))
                .hasMessage("--jobs-dir is required");
        assertThatThrownBy(() -> LaunchpadMain.parse(new String[] {"--frobnicate"}))
                .hasMessage("unknown argument '--frobnicate'");
    }
}
