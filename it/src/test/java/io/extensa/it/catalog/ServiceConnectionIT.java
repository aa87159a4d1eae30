package io.extensa.it.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.engine.catalog.Catalog;
import io.extensa.engine.catalog.CatalogConfig;
import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.ScratchCluster;
import io.extensa.pgwire.BackendAddress;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.client.PgClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Extensa's own connections to PostgreSQL: every authentication method, and the catalog's schema bootstrap. */
class ServiceConnectionIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void authenticatesWithTrustMd5AndScram() throws Exception {
        ExtensaStack.get();
        try (ScratchCluster cluster = ScratchCluster.start("svc", """
                local all trusty trust
                local all md5er md5
                local all all scram-sha-256
                """)) {
            cluster.psql("SET password_encryption = 'md5'; CREATE ROLE md5er LOGIN PASSWORD 'm-pw';"
                    + " SET password_encryption = 'scram-sha-256'; CREATE ROLE scrammer LOGIN PASSWORD 's-pw';"
                    + " CREATE ROLE trusty LOGIN");
            BackendAddress address = BackendAddress.unixSocketInDirectory(cluster.socketDir(), 5432);
            for (String[] login : new String[][] {{"trusty", null}, {"md5er", "m-pw"}, {"scrammer", "s-pw"}}) {
                try (PgClient c = PgClient.connect(address, login[0], "postgres", login[1], TIMEOUT)) {
                    assertThat(c.query("SELECT current_user, $1::int + 1", "41").rows())
                            .containsExactly(List.of(login[0], "42"));
                }
            }
            assertThatThrownBy(() -> PgClient.connect(address, "scrammer", "postgres", "wrong", TIMEOUT))
                    .isInstanceOf(PgException.class).hasMessageContaining("password authentication failed");
            assertThatThrownBy(() -> PgClient.connect(address, "md5er", "postgres", null, TIMEOUT))
                    .hasMessageContaining("none is configured");
        }
    }

    @Test
    void queryErrorsLeaveTheConnectionUsable() throws Exception {
        ExtensaStack stack = ExtensaStack.get();
        try (PgClient c = PgClient.connect(stack.server().backend(), "extensa", "extensa", ExtensaStack.PASSWORD,
                TIMEOUT)) {
            assertThatThrownBy(() -> c.query("SELECT 1/0")).hasMessageContaining("division by zero");
            assertThat(c.execute("SELECT 1; SELECT 'last'").single()).isEqualTo("last");
            assertThat(c.query("SELECT $1::text IS NULL", (String) null).single()).isEqualTo("t");
        }
    }

    @Test
    void twoGatewaysBootstrapTheCatalogSchemaOnceTogether() throws Exception {
        ExtensaStack stack = ExtensaStack.get();
        try (PgClient admin = PgClient.connect(stack.server().backend(), "extensa", "extensa", ExtensaStack.PASSWORD,
                TIMEOUT)) {
            admin.execute("CREATE DATABASE catalog_bootstrap_test");
            try {
                CatalogConfig config = new CatalogConfig(stack.server().backend(), "catalog_bootstrap_test", "extensa",
                        () -> ExtensaStack.PASSWORD);
                try (Catalog a = new Catalog(config); Catalog b = new Catalog(config)) {
                    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> version(a));
                    CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> version(b));
                    assertThat(first.get()).isEqualTo(second.get()).isEqualTo("1,2,3,4");
                    assertThat(a.query("SELECT count(*) = count(DISTINCT version) FROM extensa_catalog.schema_version")
                            .single()).as("each step applied once").isEqualTo("t");
                }
            } finally {
                admin.execute("DROP DATABASE catalog_bootstrap_test");
            }
        }
    }

    private static String version(Catalog catalog) {
        try {
            return catalog.query("SELECT string_agg(version::text, ',' ORDER BY version) FROM extensa_catalog.schema_version")
                    .single();
        } catch (PgException e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void theAdminsUnqualifiedTablesStayInPublicOnceTheCatalogExists() throws Exception {
        ExtensaStack stack = ExtensaStack.get();
        try (java.sql.Connection c = stack.connect(); java.sql.Statement s = c.createStatement()) {
            s.execute("EXEC sp_configure 'external scripts enabled'");
            s.execute("DROP TABLE IF EXISTS admin_scratch");
            s.execute("CREATE TABLE admin_scratch (x int)");
            try (java.sql.ResultSet rs = s.executeQuery("SELECT n.nspname FROM pg_class t JOIN pg_namespace n "
                    + "ON n.oid = t.relnamespace WHERE t.relname = 'admin_scratch'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("public");
            }
            s.execute("DROP TABLE admin_scratch");
        }
    }
}
