package io.extensa.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.ScratchCluster;
import io.extensa.pgwire.BackendAddress;
import io.extensa.pgwire.Gateway;
import io.extensa.pgwire.GatewayConfig;
import io.extensa.pgwire.intercept.StatementInterceptor;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway never sees a password: trust, md5 and SCRAM-SHA-256 are PostgreSQL's business, relayed. */
class AuthenticationMethodsIT {

    private static ScratchCluster cluster;
    private static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        ExtensaStack.get();
        cluster = ScratchCluster.start("auth", """
                local all trusty trust
                local all md5er md5
                local all all scram-sha-256
                """);
        cluster.psql("SET password_encryption = 'md5'; CREATE ROLE md5er LOGIN PASSWORD 'md5-pw';"
                + " SET password_encryption = 'scram-sha-256'; CREATE ROLE scrammer LOGIN PASSWORD 'scram-pw';"
                + " CREATE ROLE trusty LOGIN;");
        gateway = new Gateway(GatewayConfig.loopback(0, BackendAddress.unixSocketInDirectory(cluster.socketDir(),
                5432)), StatementInterceptor.RELAY_ALL);
        gateway.start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String whoAmI(String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + gateway.port() + "/postgres", p);
             ResultSet rs = c.createStatement().executeQuery("SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void trustMd5AndScramAllWork() throws SQLException {
        assertThat(whoAmI("trusty", null)).isEqualTo("trusty");
        assertThat(whoAmI("md5er", "md5-pw")).isEqualTo("md5er");
        assertThat(whoAmI("scrammer", "scram-pw")).isEqualTo("scrammer");
    }

    @Test
    void wrongPasswordsAreRefusedByPostgres() {
        assertThatThrownBy(() -> whoAmI("md5er", "wrong")).hasMessageContaining("password authentication failed");
        assertThatThrownBy(() -> whoAmI("scrammer", "wrong")).hasMessageContaining("password authentication failed");
    }
}
