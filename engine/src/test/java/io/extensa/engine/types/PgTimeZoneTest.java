package io.extensa.engine.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgTimeZoneTest {

    @Test
    void aZoneFileIsReadOncePerDirectoryAndName(@TempDir Path zoneinfo) throws Exception {
        Path berlin = Path.of("/usr/share/zoneinfo/Europe/Berlin");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(berlin), "no system tzdata");
        Files.createDirectories(zoneinfo.resolve("Test"));
        Files.copy(berlin, zoneinfo.resolve("Test/Zone"));
        String previous = System.getProperty("extensa.zoneinfo");
        System.setProperty("extensa.zoneinfo", zoneinfo.toString());
        try {
            PgTimeZone first = PgTimeZone.parse("Test/Zone");
            assertThat(first).isNotNull();
            assertThat(first.offsetAt(1_750_000_000L)).as("summer in Berlin").isEqualTo(7200);
            // a call's session settings parse TimeZone every time: the file is not read again
            Files.delete(zoneinfo.resolve("Test/Zone"));
            assertThat(PgTimeZone.parse("Test/Zone")).isSameAs(first);
            assertThat(PgTimeZone.region("Test/Zone")).isNotNull().isSameAs(PgTimeZone.region("Test/Zone"));
            assertThat(PgTimeZone.parse("No/Such_Zone")).isNull();
        } finally {
            if (previous == null) {
                System.clearProperty("extensa.zoneinfo");
            } else {
                System.setProperty("extensa.zoneinfo", previous);
            }
        }
        assertThat(PgTimeZone.parse("Test/Zone")).as("another directory is another zone").isNull();
    }
}
