package io.extensa.server.datadir;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerLockTest {

    @TempDir
    Path temp;

    @Test
    void onlyOneHolderAtATimeAndTheKernelKnowsWho() {
        var dir = new DataDirectory(temp);
        assertThat(ServerLock.isHeld(dir)).isFalse();

        try (ServerLock lock = ServerLock.tryAcquire(dir).orElseThrow()) {
            assertThat(ServerLock.isHeld(dir)).isTrue();
            assertThat(ServerLock.tryAcquire(dir)).isEmpty();
            assertThat(ServerLock.holderPid(dir)).hasValue(ProcessHandle.current().pid());
        }

        assertThat(ServerLock.isHeld(dir)).isFalse();
        Optional<ServerLock> again = ServerLock.tryAcquire(dir);
        assertThat(again).isPresent();
        again.get().close();
    }
}
