package io.extensa.server.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.server.ExtensaException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandRunnerTest {

    @Test
    void capturesOutputAndExitCode() {
        CommandResult result = CommandRunner.inherited().run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"));

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.output()).contains("out").contains("err");
        assertThat(result.describe()).startsWith("sh exited with code 3");
    }

    @Test
    void feedsStandardInput() {
        CommandResult result = CommandRunner.inherited().run(List.of("cat"), "hello\n");

        assertThat(result.output()).isEqualTo("hello\n");
    }

    @Test
    void dropsInheritedVariablesByPrefixAndSetsOthers() {
        CommandResult result = CommandRunner.inherited()
                .withoutEnvironmentPrefix("HOM")
                .withEnvironment(Map.of("EXTENSA_TEST_VAR", "x"))
                .inDirectory(Path.of("/"))
                .run(List.of("/bin/sh", "-c", "echo \"[${HOME-unset}][$EXTENSA_TEST_VAR][$(pwd)]\""));

        assertThat(result.output().strip()).isEqualTo("[unset][x][/]");
    }

    @Test
    void killsWhatOutlivesItsTimeout() {
        long before = System.nanoTime();
        assertThatThrownBy(() -> CommandRunner.inherited().withTimeout(Duration.ofMillis(300))
                .run(List.of("sleep", "30")))
                .isInstanceOf(ExtensaException.class)
                .hasMessageContaining("did not finish");
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(20));
        assertThat(Processes.find(line -> line.equals("sleep 30"))).isEmpty();
    }

    @Test
    void missingProgramIsAClearError() {
        assertThatThrownBy(() -> CommandRunner.inherited().run(List.of("/nonexistent/program")))
                .hasMessageContaining("could not run /nonexistent/program");
    }
}
