package io.extensa.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.it.support.ExtensaStack;
import io.extensa.pgwire.Gateway;
import io.extensa.pgwire.GatewayConfig;
import io.extensa.pgwire.TlsSettings;
import io.extensa.pgwire.intercept.StatementInterceptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** A gateway with a certificate: pgjdbc and psql negotiate TLS with it and authenticate through it. */
class TlsThroughGatewayIT {

    @Test
    void clientsConnectOverTls() throws Exception {
        ExtensaStack stack = ExtensaStack.get();
        Path dir = Files.createTempDirectory("tls");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        ExtensaStack.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=127.0.0.1", "-keyout", key.toString(), "-out", cert.toString()), "", Map.of(),
                Duration.ofMinutes(1)).assertOk();
        GatewayConfig config = GatewayConfig.loopback(0, stack.server().backend())
                .withTls(new TlsSettings(cert, key));
        try (Gateway gateway = new Gateway(config, StatementInterceptor.RELAY_ALL)) {
            gateway.start();
            Properties p = new Properties();
            p.setProperty("user", "extensa");
            p.setProperty("password", ExtensaStack.PASSWORD);
            p.setProperty("sslmode", "require");
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + gateway.port()
                    + "/extensa", p); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 'over tls'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("over tls");
            }
            String out = ExtensaStack.run(List.of("psql", "-X", "-At", "-c", "SELECT 1",
                            "host=127.0.0.1 port=" + gateway.port() + " dbname=extensa user=extensa sslmode=require"),
                    "", Map.of("PGPASSWORD", ExtensaStack.PASSWORD), Duration.ofSeconds(30)).assertOk().stdout();
            assertThat(out.strip()).isEqualTo("1");
        }
    }
}
