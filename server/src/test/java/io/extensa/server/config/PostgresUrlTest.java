package io.extensa.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.pgwire.BackendAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PostgresUrlTest {

    @Test
    void tcpWithAndWithoutPort() {
        assertThat(PostgresUrl.parse("postgresql://db.local:6543/app").address())
                .isEqualTo(new BackendAddress.Tcp("db.local", 6543));
        assertThat(PostgresUrl.parse("postgres://127.0.0.1").address())
                .isEqualTo(new BackendAddress.Tcp("127.0.0.1", 5432));
        assertThat(PostgresUrl.parse("postgresql://[::1]:5433").address())
                .isEqualTo(new BackendAddress.Tcp("::1", 5433));
    }

    @Test
    void socketDirectoryAsQueryParameter() {
        assertThat(PostgresUrl.parse("postgresql:///postgres?host=/var/run/postgresql&port=5433").address())
                .isEqualTo(new BackendAddress.Unix(Path.of("/var/run/postgresql/.s.PGSQL.5433")));
        assertThat(PostgresUrl.parse("postgresql://?host=/tmp/pg").address())
                .isEqualTo(new BackendAddress.Unix(Path.of("/tmp/pg/.s.PGSQL.5432")));
    }

    @Test
    void percentEncodedSocketDirectory() {
        assertThat(PostgresUrl.parse("postgresql://%2Fvar%2Frun%2Fpostgresql:5444/db").address())
                .isEqualTo(new BackendAddress.Unix(Path.of("/var/run/postgresql/.s.PGSQL.5444")));
        assertThat(PostgresUrl.parse("postgresql://%2Ftmp%2Fpg").address())
                .isEqualTo(new BackendAddress.Unix(Path.of("/tmp/pg/.s.PGSQL.5432")));
    }

    @Test
    void credentialsAreRejectedBecauseClientsAuthenticateThemselves() {
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://bob:pw@localhost/db"))
                .hasMessageContaining("leave out user and password");
    }

    @Test
    void malformedUrlsGetClearErrors() {
        assertThatThrownBy(() -> PostgresUrl.parse("mysql://localhost")).hasMessageContaining("expected postgresql://");
        assertThatThrownBy(() -> PostgresUrl.parse("localhost:5432")).hasMessageContaining("invalid PostgreSQL URL");
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://localhost:99999")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql:///db")).hasMessageContaining("no host");
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://?host=/tmp&port=x")).hasMessageContaining("not a number");
    }
}
