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

        ServerLock lock = ServerLock.tryAcquire(dir).orElseThrow();
        // Probing a lock this JVM holds must not release it (closing any descriptor of the file would).
        try {
            assertThat(ServerLock.isHeld(dir)).isTrue();
            assertThat(ServerLock.tryAcquire(dir)).isEmpty();
            assertThat(ServerLock.holderPid(dir)).hasValue(ProcessHandle.current().pid());
        } finally {
            lock.close();
        }

        assertThat(ServerLock.isHeld(dir)).isFalse();
        Optional<ServerLock> again = ServerLock.tryAcquire(dir);
        assertThat(again).isPresent();
        again.get().close();
    }
}
