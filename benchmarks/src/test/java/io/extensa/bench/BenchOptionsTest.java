package io.extensa.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    private static final List<String> SUITES = List.of("relay", "trivial", "means", "insert");

    @Test
    void noSuiteMeansAllOfThem() {
        BenchOptions options = BenchOptions.parse(List.of(), SUITES);
        assertThat(options.suites()).isEqualTo(SUITES);
        assertThat(options.quick()).isFalse();
        assertThat(options.commandLine(SUITES)).isEqualTo("bin/bench");
        assertThat(options.outputFile(Path.of("/repo"), SUITES)).isEqualTo(Path.of("/repo/benchmarks/target/results-all.md"));
    }

    @Test
    void suitesKeepTheOrderGivenWithoutDuplicates() {
        BenchOptions options = BenchOptions.parse(List.of("means", "relay", "means", "--quick"), SUITES);
        assertThat(options.suites()).containsExactly("means", "relay");
        assertThat(options.commandLine(SUITES)).isEqualTo("bin/bench means relay --quick");
        assertThat(options.outputFile(Path.of("/repo"), SUITES))
                .isEqualTo(Path.of("/repo/benchmarks/target/results-means-relay-quick.md"));
    }

    @Test
    void outAcceptsBothSpellings() {
        assertThat(BenchOptions.parse(List.of("relay", "--out", "/tmp/r.md"), SUITES).outputFile(Path.of("/x"), SUITES))
                .isEqualTo(Path.of("/tmp/r.md"));
        assertThat(BenchOptions.parse(List.of("--out=/tmp/s.md"), SUITES).outputFile(Path.of("/x"), SUITES))
                .isEqualTo(Path.of("/tmp/s.md"));
    }

    @Test
    void badArgumentsSayWhatIsWrong() {
        assertThatThrownBy(() -> BenchOptions.parse(List.of("relya"), SUITES))
                .hasMessageContaining("unknown suite 'relya'").hasMessageContaining("relay, trivial, means, insert");
        assertThatThrownBy(() -> BenchOptions.parse(List.of("--fast"), SUITES)).hasMessageContaining("unknown option --fast");
        assertThatThrownBy(() -> BenchOptions.parse(List.of("--out"), SUITES)).hasMessageContaining("--out needs a file");
    }

    @Test
    void listHelpAndKeepAreFlags() {
        BenchOptions options = BenchOptions.parse(List.of("--list", "--keep", "-h"), SUITES);
        assertThat(options.list()).isTrue();
        assertThat(options.keep()).isTrue();
        assertThat(options.help()).isTrue();
    }
}
