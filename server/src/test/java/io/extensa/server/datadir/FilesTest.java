package io.extensa.server.datadir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesTest {

    @TempDir
    Path temp;

    @Test
    void pidFileRoundTripAndGarbage() throws IOException {
        Path file = temp.resolve("x.pid");
        assertThat(PidFile.read(file)).isEmpty();

        PidFile.write(file, 4242);
        assertThat(PidFile.read(file)).hasValue(4242);

        Files.writeString(file, "not a pid");
        assertThat(PidFile.read(file)).isEmpty();
        PidFile.delete(file);
        assertThat(file).doesNotExist();
    }

    @Test
    void stateFileRoundTrip() {
        var dir = new DataDirectory(temp);
        dir.prepare();
        assertThat(ServerState.read(dir)).isEmpty();

        new ServerState(Map.of(ServerState.PID, "12", ServerState.GATEWAY_HOST, "127.0.0.1", "pools.size", "3")).write(dir);

        ServerState state = ServerState.read(dir).orElseThrow();
        assertThat(state.getLong(ServerState.PID)).hasValue(12);
        assertThat(state.get(ServerState.GATEWAY_HOST)).contains("127.0.0.1");
        assertThat(state.get("pools.size")).contains("3");
        assertThat(state.getLong(ServerState.GATEWAY_HOST)).isEmpty();
        ServerState.delete(dir);
        assertThat(ServerState.read(dir)).isEmpty();
    }

    @Test
    void tailReturnsTheLastLines() throws IOException {
        Path log = temp.resolve("a.log");
        Files.writeString(log, IntStream.rangeClosed(1, 100).mapToObj(i -> "line " + i).collect(Collectors.joining("\n", "", "\n")));

        assertThat(TextFiles.tail(log, 3)).isEqualTo("line 98\nline 99\nline 100");
        assertThat(TextFiles.tail(temp.resolve("absent.log"), 3)).startsWith("(cannot read");
    }

    @Test
    void prepareCreatesTheLayout() {
        var dir = new DataDirectory(temp.resolve("data"));

        dir.prepare();

        assertThat(dir.logDir()).isDirectory();
        assertThat(dir.runDir()).isDirectory();
        assertThat(dir.jobsDir()).isDirectory();
        assertThat(dir.runtimeDir()).isDirectory();
        assertThat(dir.postgresSocket()).isEqualTo(temp.resolve("data/run/.s.PGSQL.5432"));
    }
}
