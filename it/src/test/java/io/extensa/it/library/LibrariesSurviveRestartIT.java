package io.extensa.it.library;

import static io.extensa.it.library.Archives.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.it.support.ExtensaStack;
import io.extensa.server.ExtensaServer;
import io.extensa.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * A server of its own, stopped and started again on the same data directory (what
 * {@code extensa stop; extensa start} does): libraries and execution counters are still there,
 * and a library whose installed copy was deleted meanwhile is installed again on first use.
 */
class LibrariesSurviveRestartIT {

    @Test
    void librariesAndCountersSurviveARestartAndAWipedCache() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "xlib");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        ServerConfig config = ServerConfig.builder(dir).gatewayPort(0).adminPassword(ExtensaStack.PASSWORD)
                .launchpadSetting("language.python.interpreter", ExtensaStack.PYTHON).build();
        long executions;
        try (ExtensaServer first = ExtensaServer.start(config); Connection c = connect(first);
             Statement s = c.createStatement()) {
            s.execute("CREATE EXTERNAL LIBRARY keeplib FROM (CONTENT = "
                    + hex(Archives.wheel("keeplib", "1.0", "WORD = 'kept'\n")) + ") WITH (LANGUAGE = 'Python')");
            assertThat(importKeeplib(s)).isEqualTo("kept");
            executions = 1;
        }
        PythonLibrariesIT.deleteTree(dir.resolve("libraries"));
        try (ExtensaServer second = ExtensaServer.start(config); Connection c = connect(second);
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT counter_value FROM sys.dm_external_script_execution_stats "
                    + "WHERE language = 'Python' AND counter_name = 'Total Executions'")) {
                assertThat(rs.next()).as("counters flushed at shutdown").isTrue();
                assertThat(rs.getLong(1)).isEqualTo(executions);
            }
            try (ResultSet rs = s.executeQuery("SELECT scope_desc FROM sys.external_libraries WHERE name = 'keeplib'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("PUBLIC");
            }
            assertThat(importKeeplib(s)).isEqualTo("kept");
            assertThat(dir.resolve("libraries/python/public")).isDirectory();
        } finally {
            PythonLibrariesIT.deleteTree(dir);
        }
    }

    private static String importKeeplib(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("EXEC sp_execute_external_script @language = N'Python', @script = N'"
                + "import pandas, keeplib\nOutputDataSet = pandas.DataFrame({\"w\": [keeplib.WORD]})'")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static Connection connect(ExtensaServer server) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "extensa");
        p.setProperty("password", ExtensaStack.PASSWORD);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.gatewayPort() + "/extensa", p);
    }
}
