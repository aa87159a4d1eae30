package io.extensa.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.RawPgClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile and broken clients, and a dying backend: each gets a clean protocol error or close, and
 * afterwards the gateway still serves and holds no extra threads or PostgreSQL connections.
 */
class GatewayRobustnessIT {

    private static ExtensaStack stack;

    @BeforeAll
    static void start() {
        stack = ExtensaStack.get();
    }

    @Test
    void oversizedStartupPacketIsRefusedBeforeBeingRead() throws Exception {
        try (RawPgClient c = RawPgClient.open(stack.port())) {
            c.sendRaw(ByteBuffer.allocate(8).putInt(50_000_000).putInt(196608).array());
            RawPgClient.Message m = c.read();
            assertThat(m.type()).isEqualTo('E');
            assertThat(m.text()).contains("08P01").contains("exceeds the limit");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void unsupportedProtocolVersionIsRefused() throws Exception {
        try (RawPgClient c = RawPgClient.open(stack.port())) {
            c.sendRaw(ByteBuffer.allocate(8).putInt(8).putInt(2 << 16).array());
            RawPgClient.Message m = c.read();
            assertThat(m.text()).contains("unsupported frontend protocol 2.0");
        }
    }

    @Test
    void sslAndGssRequestsAreAnsweredNWithoutACertificate() throws Exception {
        try (RawPgClient c = RawPgClient.open(stack.port())) {
            c.sendRaw(ByteBuffer.allocate(8).putInt(8).putInt(80877104).array());
            assertThat((char) c.readByte()).isEqualTo('N');
            c.sendRaw(ByteBuffer.allocate(8).putInt(8).putInt(80877103).array());
            assertThat((char) c.readByte()).isEqualTo('N');
            c.startup("extensa", "extensa");
            RawPgClient.Message m = c.read();
            assertThat(m.type()).isEqualTo('R');
            assertThat(m.text()).contains("SCRAM-SHA-256").doesNotContain("PLUS");
        }
    }

    @Test
    void invalidMessageLengthAfterLoginEndsTheSessionWithProtocolViolation() throws Exception {
        try (RawPgClient c = RawPgClient.login(stack.port(), "extensa", ExtensaStack.PASSWORD)) {
            c.sendRaw(new byte[] {'Q', (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xF0});
            RawPgClient.Message m = c.read();
            assertThat(m.type()).isEqualTo('E');
            assertThat(m.text()).contains("08P01").contains("invalid length");
            assertThat(c.closedByServer()).isTrue();
        }
        assertStillServing();
    }

    @Test
    void unknownMessageTypeIsPostgresToRefuse() throws Exception {
        try (RawPgClient c = RawPgClient.login(stack.port(), "extensa", ExtensaStack.PASSWORD)) {
            c.send('!', new byte[] {1, 2, 3});
            RawPgClient.Message m = c.read();
            assertThat(m.type()).isEqualTo('E');
            assertThat(m.text()).contains("invalid frontend message type");
            assertThat(c.closedByServer()).isTrue();
        }
        assertStillServing();
    }

    @Test
    void clientThatVanishesMidQueryReleasesItsBackend() throws Exception {
        int pid;
        try (RawPgClient c = RawPgClient.login(stack.port(), "extensa", ExtensaStack.PASSWORD)) {
            pid = c.backendPid();
            c.query("SELECT pg_sleep(60)");
            Thread.sleep(500);
            c.abort();
        }
        awaitBackendGone(pid);
        assertStillServing();
    }

    @Test
    void terminatedBackendEndsOnlyItsOwnSession() throws Exception {
        try (RawPgClient victim = RawPgClient.login(stack.port(), "extensa", ExtensaStack.PASSWORD);
             Connection admin = stack.connect(); Statement s = admin.createStatement()) {
            s.execute("SELECT pg_terminate_backend(" + victim.backendPid() + ")");
            RawPgClient.Message m = victim.read();
            assertThat(m.type()).isEqualTo('E');
            assertThat(m.text()).contains("57P01");
            assertThat(victim.closedByServer()).isTrue();
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void cancelRequestWithAWrongKeyIsIgnored() throws Exception {
        try (RawPgClient c = RawPgClient.login(stack.port(), "extensa", ExtensaStack.PASSWORD);
             RawPgClient cancel = RawPgClient.open(stack.port())) {
            c.query("SELECT pg_sleep(1.5), 'survived'");
            cancel.sendRaw(ByteBuffer.allocate(16).putInt(16).putInt(80877102).putInt(c.backendPid())
                    .putInt(c.cancelKey() + 1).array());
            assertThat(cancel.closedByServer()).isTrue();
            assertThat(c.readUntilReady()).extracting(RawPgClient.Message::type).doesNotContain('E');
        }
    }

    @Test
    void randomAndMutatedFramesNeverBreakTheGateway() throws Exception {
        int threadsBefore = gatewayThreads();
        long backendsBefore = backends();
        Random random = new Random(20261121);
        for (int i = 0; i < 150; i++) {
            try (RawPgClient c = RawPgClient.open(stack.port())) {
                c.setTimeout(5000);
                byte[] garbage = new byte[1 + random.nextInt(64)];
                random.nextBytes(garbage);
                if (i % 3 == 0 && garbage.length >= 4) {
                    ByteBuffer.wrap(garbage).putInt(0, Math.min(garbage.length, 8 + random.nextInt(40)));
                }
                c.sendRaw(garbage);
                c.closedByServer();
            } catch (java.io.IOException ignored) {
                // the gateway may reset a connection that sent garbage; that is fine
            }
        }
        char[] types = {'Q', 'P', 'B', 'D', 'E', 'C', 'S', 'H', 'F', 'd', 'c', 'f', 'p', 'X', '?'};
        for (int i = 0; i < 60; i++) {
            try (RawPgClient c = RawPgClient.login(stack.port(), "extensa", ExtensaStack.PASSWORD)) {
                c.setTimeout(5000);
                for (int k = 0; k < 5; k++) {
                    byte[] body = new byte[random.nextInt(40)];
                    random.nextBytes(body);
                    if (random.nextBoolean() && body.length > 4) {
                        byte[] sql = "EXEC sp_extensa_info".getBytes(StandardCharsets.UTF_8);
                        System.arraycopy(sql, 0, body, 0, Math.min(sql.length, body.length - 1));
                    }
                    c.send(types[random.nextInt(types.length)], body);
                }
                c.send('S', new byte[0]);
                c.send('X', new byte[0]);
                c.closedByServer();
            } catch (java.io.IOException ignored) {
                // a connection the gateway or PostgreSQL refused to continue
            }
        }
        assertStillServing();
        awaitQuiet(threadsBefore, backendsBefore);
    }

    private static void assertStillServing() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 'alive'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("alive");
        }
    }

    private static int gatewayThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("pg-client-") || t.getName().startsWith("pg-backend-"))
                .count();
    }

    private static long backends() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                     + " AND pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void awaitBackendGone(int pid) throws Exception {
        for (int i = 0; i < 100; i++) {
            try (Connection c = stack.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid)) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("backend " + pid + " still present 10 s after its client vanished");
    }

    private static void awaitQuiet(int threadsBefore, long backendsBefore) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (gatewayThreads() <= threadsBefore && backends() <= backendsBefore) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(gatewayThreads()).as("gateway threads").isLessThanOrEqualTo(threadsBefore);
        assertThat(backends()).as("PostgreSQL client backends").isLessThanOrEqualTo(backendsBefore);
    }
}
