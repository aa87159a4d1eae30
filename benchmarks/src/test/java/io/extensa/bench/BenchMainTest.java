package io.extensa.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchMainTest {

    @Test
    void theVersionLosesOnlyTheCompilerDetails() {
        assertThat(BenchMain.shortVersion("PostgreSQL 15.20 (Debian 15.20-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc"))
                .isEqualTo("PostgreSQL 15.20 (Debian 15.20-0+deb12u1)");
        assertThat(BenchMain.shortVersion("PostgreSQL 16.1")).isEqualTo("PostgreSQL 16.1");
    }

    @Test
    void aBadCommandLineExitsWithTwoAndStartsNothing() {
        assertThat(BenchMain.run(List.of("no-such-suite"))).isEqualTo(2);
    }

    @Test
    void listAndHelpExitWithZero() {
        assertThat(BenchMain.run(List.of("--list"))).isZero();
        assertThat(BenchMain.run(List.of("--help"))).isZero();
    }
}
