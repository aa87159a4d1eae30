package io.extensa.bench.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandsTest {

    @Test
    void outputExitCodeAndEnvironmentAreCaptured() {
        CommandOutput output = Commands.run(List.of("sh", "-c", "echo \"$GREETING\"; echo oops >&2; exit 3"),
                Map.of("GREETING", "hello"), Duration.ofSeconds(10));
        assertThat(output.stdout()).isEqualTo("hello\n");
        assertThat(output.stderr()).isEqualTo("oops\n");
        assertThat(output.exitCode()).isEqualTo(3);
        assertThatThrownBy(output::checked).hasMessageContaining("exit code 3").hasMessageContaining("oops");
    }

    @Test
    void standardInputIsFed() {
        assertThat(Commands.run(List.of("cat"), Map.of(), "rows\n", Duration.ofSeconds(10)).checked().stdout())
                .isEqualTo("rows\n");
    }

    @Test
    void aCommandThatRunsTooLongIsKilled() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> Commands.run(List.of("sleep", "30"), Map.of(), Duration.ofMillis(300)))
                .hasMessageContaining("timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void executablesAreFoundAtACandidatePathOrOnPath() {
        assertThat(Commands.findExecutable("sh", Path.of("/nonexistent/sh"))).isPresent();
        assertThat(Commands.findExecutable("no-such-program-xyz")).isEmpty();
    }
}
