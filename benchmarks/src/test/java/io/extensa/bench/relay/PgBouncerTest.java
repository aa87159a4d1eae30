package io.extensa.bench.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PgBouncerTest {

    @Test
    void theConfigurationPointsAtTheSocketWithSessionPoolingAndScram() {
        String config = PgBouncer.config(Path.of("/tmp/w/data/run"), 6432, Path.of("/tmp/w/pgbouncer/userlist.txt"));
        assertThat(config)
                .contains("extensa = host=/tmp/w/data/run port=5432 dbname=extensa")
                .contains("listen_addr = 127.0.0.1")
                .contains("listen_port = 6432")
                .contains("unix_socket_dir =\n")
                .contains("auth_type = scram-sha-256")
                .contains("auth_file = /tmp/w/pgbouncer/userlist.txt")
                .contains("pool_mode = session");
    }
}
