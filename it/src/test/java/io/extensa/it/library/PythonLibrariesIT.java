package io.extensa.it.library;

import static io.extensa.it.library.Archives.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Python libraries end to end: wheels built here, installed with CREATE EXTERNAL LIBRARY through
 * the gateway, imported by scripts, public and private scopes, ALTER and DROP, hostile archives,
 * and reinstallation from the catalog when the installed copy is gone.
 */
class PythonLibrariesIT {

    private static ExtensaStack stack;

    @BeforeAll
    static void start() throws SQLException {
        stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            for (String role : new String[] {"lib_alice", "lib_bob"}) {
                s.execute("DROP ROLE IF EXISTS " + role);
                s.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'pw-" + role + "'");
                s.execute("GRANT CONNECT ON DATABASE extensa TO " + role);
                s.execute("GRANT EXECUTE ANY EXTERNAL SCRIPT TO " + role);
            }
            s.execute("GRANT CREATE EXTERNAL LIBRARY TO lib_alice");
        }
    }

    private static Connection as(String role) throws SQLException {
        return stack.connectAs(role, "pw-" + role);
    }

    private static String importing(String module, String expression) {
        String script = "import pandas, " + module + "\nOutputDataSet = pandas.DataFrame({'v': [str(" + expression + ")]})";
        return "EXEC sp_execute_external_script @language = N'Python', @script = N'" + script.replace("'", "''") + "'";
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1);
        }
    }

    private static List<List<String>> rows(Connection c, String sql) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int k = 1; k <= rs.getMetaData().getColumnCount(); k++) {
                    row.add(rs.getString(k));
                }
                out.add(row);
            }
        }
        return out;
    }

    @Test
    void publicLibraryIsImportedByEveryScriptThenAlteredThenDropped() throws Exception {
        try (Connection admin = stack.connect(); Statement s = admin.createStatement()) {
            s.execute("CREATE EXTERNAL LIBRARY greetlib FROM (CONTENT = "
                    + hex(Archives.wheel("greetlib", "1.0", "def hello():\n    return 'hello v1'\n"))
                    + ") WITH (LANGUAGE = 'Python')");
            assertThat(rows(admin, "SELECT name, owner, language, scope, scope_desc FROM sys.external_libraries "
                    + "WHERE name = 'greetlib'")).containsExactly(List.of("greetlib", "extensa", "Python", "0", "PUBLIC"));
            assertThat(rows(admin, "SELECT f.path FROM sys.external_library_files f JOIN sys.external_libraries l "
                    + "USING (external_library_id) WHERE l.name = 'greetlib' ORDER BY 1").stream().map(r -> r.get(0)))
                    .contains("greetlib/__init__.py", "greetlib-1.0.dist-info/METADATA");
            assertThat(single(admin, importing("greetlib", "greetlib.hello()"))).isEqualTo("hello v1");
            try (Connection bob = as("lib_bob")) {
                assertThat(single(bob, importing("greetlib", "greetlib.hello()"))).isEqualTo("hello v1");
            }

            s.execute("ALTER EXTERNAL LIBRARY greetlib SET (CONTENT = "
                    + hex(Archives.wheel("greetlib", "2.0", "def hello():\n    return 'hello v2'\n")) + ")");
            assertThat(single(admin, importing("greetlib", "greetlib.hello()"))).isEqualTo("hello v2");
            assertThat(rows(admin, "SELECT path FROM sys.external_library_files f JOIN sys.external_libraries l "
                    + "USING (external_library_id) WHERE l.name = 'greetlib'").stream().map(r -> r.get(0)))
                    .contains("greetlib-2.0.dist-info/METADATA").doesNotContain("greetlib-1.0.dist-info/METADATA");
            assertThat(installed("greetlib")).hasSize(1);

            s.execute("DROP EXTERNAL LIBRARY greetlib");
            assertThat(single(admin, "SELECT count(*) FROM sys.external_libraries WHERE name = 'greetlib'"))
                    .isEqualTo("0");
            assertThat(installed("greetlib")).isEmpty();
            assertThatThrownBy(() -> single(admin, importing("greetlib", "greetlib.hello()")))
                    .isInstanceOf(PSQLException.class).hasMessageContaining("No module named 'greetlib'");
        }
    }

    @Test
    void privateLibraryIsVisibleAndImportableOnlyByItsOwner() throws Exception {
        try (Connection alice = as("lib_alice"); Connection bob = as("lib_bob"); Statement a = alice.createStatement()) {
            a.execute("CREATE EXTERNAL LIBRARY alicelib FROM (CONTENT = "
                    + hex(Archives.zip(Map.of("alicelib.py", "SECRET = 'alice only'\n")))
                    + ") WITH (LANGUAGE = 'Python')");
            assertThat(rows(alice, "SELECT owner, scope_desc FROM sys.external_libraries WHERE name = 'alicelib'"))
                    .containsExactly(List.of("lib_alice", "PRIVATE"));
            assertThat(single(alice, importing("alicelib", "alicelib.SECRET"))).isEqualTo("alice only");

            assertThat(single(bob, "SELECT count(*) FROM sys.external_libraries WHERE name = 'alicelib'")).isEqualTo("0");
            assertThatThrownBy(() -> single(bob, importing("alicelib", "alicelib.SECRET")))
                    .isInstanceOf(PSQLException.class).hasMessageContaining("No module named 'alicelib'")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("38000");
            assertThatThrownBy(() -> bob.createStatement().execute("DROP EXTERNAL LIBRARY alicelib"))
                    .hasMessageContaining("does not exist");
            assertThatThrownBy(() -> bob.createStatement().execute("CREATE EXTERNAL LIBRARY boblib FROM (CONTENT = "
                    + hex(Archives.zip(Map.of("boblib.py", "x = 1\n"))) + ") WITH (LANGUAGE = 'Python')"))
                    .hasMessageContaining("CREATE EXTERNAL LIBRARY")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("42501");

            try (Connection admin = stack.connect()) {
                assertThat(single(admin, "SELECT scope_desc FROM sys.external_libraries WHERE name = 'alicelib'"))
                        .as("a superuser sees private libraries").isEqualTo("PRIVATE");
            }
            a.execute("DROP EXTERNAL LIBRARY alicelib");
            assertThat(installed("alicelib")).isEmpty();
        }
    }

    @Test
    void hostileCorruptAndMismatchedArchivesAreRefusedAndLeaveNothing() throws Exception {
        Map<String, byte[]> bad = Map.of(
                "escapes the library", Archives.zip(Map.of("evil/__init__.py", "", "../evil.py", "x = 1\n")),
                "absolute path", Archives.zip(Map.of("evil/__init__.py", "", "/tmp/evil.py", "x = 1\n")),
                "symbolic link", Archives.zipWithSymlink("evil", "passwd", "/etc/passwd"),
                "not a valid archive", new byte[] {1, 2, 3, 4, 5, 6, 7, 8},
                "must be the package's name", Archives.wheel("otherpkg", "1.0", "x = 1\n"));
        try (Connection admin = stack.connect(); Statement s = admin.createStatement()) {
            for (var c : bad.entrySet()) {
                assertThatThrownBy(() -> s.execute("CREATE EXTERNAL LIBRARY evil FROM (CONTENT = " + hex(c.getValue())
                        + ") WITH (LANGUAGE = 'Python')")).as(c.getKey())
                        .hasMessageContaining(c.getKey())
                        .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("22023");
            }
            assertThatThrownBy(() -> s.execute("CREATE EXTERNAL LIBRARY evil FROM (CONTENT = 0x0102) WITH "
                    + "(LANGUAGE = 'Perl')")).hasMessageContaining("external language \"Perl\" does not exist")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("42704");
            assertThat(single(admin, "SELECT count(*) FROM sys.external_libraries WHERE name = 'evil'")).isEqualTo("0");
        }
        assertThat(installed("evil")).isEmpty();
        assertThat(Path.of("/tmp/evil.py")).doesNotExist();
        Path tmp = stack.dataDir().resolve("libraries/.tmp");
        if (Files.exists(tmp)) {
            try (Stream<Path> left = Files.list(tmp)) {
                assertThat(left).as("no half-installed library").isEmpty();
            }
        }
    }

    @Test
    void deletedCacheIsReinstalledFromTheCatalog() throws Exception {
        try (Connection admin = stack.connect(); Statement s = admin.createStatement()) {
            s.execute("CREATE EXTERNAL LIBRARY cachelib FROM (CONTENT = "
                    + hex(Archives.wheel("cachelib", "1.0", "VALUE = 42\n")) + ") WITH (LANGUAGE = 'Python')");
            assertThat(installed("cachelib")).hasSize(1);
            // the cache's contents, not its directory: running satellites' sandboxes show that directory
            emptyTree(stack.dataDir().resolve("libraries"));
            assertThat(single(admin, importing("cachelib", "cachelib.VALUE"))).isEqualTo("42");
            assertThat(installed("cachelib")).hasSize(1);
            s.execute("DROP EXTERNAL LIBRARY cachelib");
        }
    }

    /** Installed directories of a library, in any scope. */
    static List<Path> installed(String name) throws IOException {
        Path root = ExtensaStack.get().dataDir().resolve("libraries");
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root, 4)) {
            return walk.filter(p -> p.getFileName().toString().matches(java.util.regex.Pattern.quote(name)
                    + "-[0-9a-f]{16}") && Files.isDirectory(p) && !p.toString().contains("/.tmp/")).toList();
        }
    }

    static void emptyTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dir)).toList()) {
                Files.delete(p);
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
