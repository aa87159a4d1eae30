package io.extensa.it.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Who may run scripts: permissions are PostgreSQL roles granted with Extensa's GRANT statements,
 * checked before anything is launched; the server switch; the audit trail.
 */
class ScriptPermissionsIT {

    private static ExtensaStack stack;

    @BeforeAll
    static void start() throws SQLException {
        stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            for (String role : new String[] {"perm_analyst", "perm_viewer", "perm_pyonly"}) {
                s.execute("DROP ROLE IF EXISTS " + role);
                s.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'pw-" + role + "'");
                s.execute("GRANT CONNECT ON DATABASE extensa TO " + role);
            }
            s.execute("GRANT EXECUTE ANY EXTERNAL SCRIPT TO perm_analyst");
            s.execute("GRANT EXECUTE EXTERNAL SCRIPT ON EXTERNAL LANGUAGE::Python TO perm_pyonly");
        }
    }

    private static Connection as(String role) throws SQLException {
        return stack.connectAs(role, "pw-" + role);
    }

    private static String hello(String language) {
        return "EXEC sp_execute_external_script @language = N'" + language + "', @script = N'OutputDataSet = InputDataSet', "
                + "@input_data_1 = N'SELECT 1 AS one'";
    }

    @Test
    void grantedRolesRunScriptsOthersAreRefusedBeforeAnythingStarts() throws Exception {
        try (Connection analyst = as("perm_analyst"); ResultSet rs = analyst.createStatement().executeQuery(hello("Python"))) {
            assertThat(rs.next()).isTrue();
        }
        try (Connection viewer = as("perm_viewer"); Statement s = viewer.createStatement()) {
            long jobsBefore = jobs();
            assertThatThrownBy(() -> s.executeQuery(hello("Python")))
                    .isInstanceOf(PSQLException.class)
                    .hasMessageContaining("EXECUTE ANY EXTERNAL SCRIPT")
                    .hasMessageContaining("EXTERNAL LANGUAGE::Python")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("42501");
            assertThat(jobs()).as("no job was launched").isEqualTo(jobsBefore);
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
        assertThat(ExtensaStack.awaitLog("denied user=perm_viewer", "outcome=ok"))
                .contains("denied user=perm_viewer").contains("outcome=ok");
    }

    @Test
    void theCheckFollowsSetRoleBothWays() throws SQLException {
        // the check reads is_superuser and role membership of the current role, not of the login
        try (Connection admin = stack.connect(); Statement s = admin.createStatement()) {
            s.execute("SET ROLE perm_viewer");
            assertThatThrownBy(() -> s.executeQuery(hello("Python")))
                    .isInstanceOf(PSQLException.class)
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("42501");
            s.execute("RESET ROLE");
            try (ResultSet rs = s.executeQuery(hello("Python"))) {
                assertThat(rs.next()).as("a superuser again").isTrue();
            }
            s.execute("GRANT perm_analyst TO perm_viewer");
        }
        try (Connection viewer = as("perm_viewer"); Statement s = viewer.createStatement()) {
            s.execute("SET ROLE perm_analyst");
            try (ResultSet rs = s.executeQuery(hello("R"))) {
                assertThat(rs.next()).as("as the member role that holds the grant").isTrue();
            }
        } finally {
            try (Connection admin = stack.connect(); Statement a = admin.createStatement()) {
                a.execute("REVOKE perm_analyst FROM perm_viewer");
            }
        }
    }

    @Test
    void perLanguageGrantsAllowOnlyThatLanguage() throws SQLException {
        try (Connection py = as("perm_pyonly"); Statement s = py.createStatement()) {
            try (ResultSet rs = s.executeQuery(hello("Python"))) {
                assertThat(rs.next()).isTrue();
            }
            assertThatThrownBy(() -> s.executeQuery(hello("R")))
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("42501");
        }
    }

    @Test
    void revokeTakesEffectForTheNextCall() throws SQLException {
        try (Connection admin = stack.connect(); Statement a = admin.createStatement();
             Connection analyst = as("perm_analyst"); Statement s = analyst.createStatement()) {
            a.execute("DROP ROLE IF EXISTS perm_temp");
            a.execute("CREATE ROLE perm_temp LOGIN PASSWORD 'pw-perm_temp'");
            a.execute("GRANT EXECUTE ANY EXTERNAL SCRIPT TO perm_temp");
            try (Connection temp = as("perm_temp"); Statement t = temp.createStatement()) {
                t.executeQuery(hello("Python")).close();
                a.execute("REVOKE EXECUTE ANY EXTERNAL SCRIPT FROM perm_temp");
                assertThatThrownBy(() -> t.executeQuery(hello("Python"))).hasMessageContaining("permission denied");
            }
            assertThatThrownBy(() -> s.execute("GRANT EXECUTE ANY EXTERNAL SCRIPT TO perm_viewer"))
                    .as("a non-admin may not grant").isInstanceOf(PSQLException.class);
            try (ResultSet rs = a.executeQuery("SELECT pg_has_role('perm_analyst', 'extensa_execute_any_external_script', "
                    + "'MEMBER')")) {
                rs.next();
                assertThat(rs.getBoolean(1)).as("the permission is an ordinary PostgreSQL role").isTrue();
            }
        }
    }

    @Test
    void theServerSwitchRefusesEveryCallWhenOff() throws SQLException {
        try (Connection admin = stack.connect(); Statement a = admin.createStatement()) {
            try (ResultSet rs = a.executeQuery("EXEC sp_configure 'external scripts enabled'")) {
                rs.next();
                assertThat(rs.getString("name")).isEqualTo("external scripts enabled");
                assertThat(rs.getInt("run_value")).isEqualTo(1);
            }
            try (Connection analyst = as("perm_analyst"); Statement s = analyst.createStatement()) {
                assertThatThrownBy(() -> s.execute("EXEC sp_configure 'external scripts enabled', 0"))
                        .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("42501");
                try {
                    a.execute("EXEC sp_configure 'external scripts enabled', 0");
                    s.executeQuery(hello("Python")).close();
                    a.execute("RECONFIGURE");
                    assertThatThrownBy(() -> s.executeQuery(hello("Python")))
                            .hasMessageContaining("disabled")
                            .hasMessageContaining("sp_configure 'external scripts enabled', 1");
                    assertThatThrownBy(() -> a.executeQuery(hello("Python"))).hasMessageContaining("disabled");
                } finally {
                    a.execute("EXEC sp_configure 'external scripts enabled', 1");
                    a.execute("RECONFIGURE WITH OVERRIDE");
                }
                try (ResultSet rs = s.executeQuery(hello("Python"))) {
                    assertThat(rs.next()).isTrue();
                }
            }
        }
    }

    /** Satellites the launchpad has started so far, from its log. */
    private static long jobs() throws java.io.IOException {
        try (var lines = Files.lines(stack.dataDir().resolve("log").resolve("launchpad.log"))) {
            return lines.filter(l -> l.contains("satellite started")).count();
        }
    }
}
