package io.extensa.launchpad.pools;

import io.extensa.protocol.launch.PoolDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PoolStoreTest {

    @TempDir
    Path dir;

    @Test
    void poolsSurviveARoundTripThroughTheFile() throws Exception {
        PoolStore store = new PoolStore(dir.resolve(".pools.conf"));
        assertThat(store.load()).isEmpty();
        List<PoolDefinition> pools = List.of(PoolDefinition.defaultPool(), new PoolDefinition("ETL team ü", 30, 5, 4));
        store.save(pools);
        assertThat(new PoolStore(dir.resolve(".pools.conf")).load()).isEqualTo(pools);
    }

    @Test
    void aDamagedFileIsIgnored() throws Exception {
        Files.writeString(dir.resolve(".pools.conf"), "default 100 20\n");
        assertThat(new PoolStore(dir.resolve(".pools.conf")).load()).isEmpty();
    }

    @Test
    void memTotalIsReadInBytes() {
        assertThat(MachineMemory.parseMemTotal("MemTotal:       24681444 kB\nMemFree: 1 kB\n")).isEqualTo(24681444L * 1024);
    }
}
