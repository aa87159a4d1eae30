package io.extensa.it.script;

import static io.extensa.it.script.RScriptIT.exec;
import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.RawPgClient;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * R scripts seen from real clients: output streamed while the script runs, exact values in
 * pgjdbc's text and binary formats, psycopg2 with bound parameters, R's own DBI driver, and a
 * script that leaves a background process behind.
 */
class RClientsIT {

    private static ExtensaStack stack;

    @BeforeAll
    static void start() throws SQLException {
        stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS r_exact");
            s.execute("CREATE TABLE r_exact (k int, i4 int, f8 float8, t text, ba bytea, d date, tz timestamptz, "
                    + "ai int[], b boolean)");
            s.execute("""
                    INSERT INTO r_exact VALUES
                    (1, -2147483647, 'NaN', 'ünïcødé', '\\x00ff', '0001-01-01', '1999-12-31 23:59:59.999999+00',
                     '{1,NULL,3}', true),
                    (2, 2147483647, '-Infinity', '', '', 'infinity', '-infinity', '{}', false),
                    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                    (4, 0, 1e-300, E'tab\\tline', decode(repeat('41', 100), 'hex'), '2024-02-29',
                     '2255-06-01 12:00:00.5+00', '{-1}', true)
                    """);
        }
    }

    @Test
    void printedLinesArriveAsTheyArePrinted() throws Exception {
        try (RawPgClient c = RawPgClient.login(stack.port(), "extensa", ExtensaStack.PASSWORD)) {
            long sent = System.nanoTime();
            c.query(exec("print(\"first\")\nSys.sleep(3)\ncat(\"second\\n\")", null, ""));
            long first = -1;
            long second = -1;
            long end = -1;
            while (end < 0) {
                RawPgClient.Message m = c.read();
                long at = (System.nanoTime() - sent) / 1_000_000;
                if (m.type() == 'N' && m.text().contains("first")) {
                    first = at;
                } else if (m.type() == 'N' && m.text().contains("second")) {
                    second = at;
                } else if (m.type() == 'Z') {
                    end = at;
                }
            }
            assertThat(first).isNotNegative();
            assertThat(second - first).as("ms between the two lines").isGreaterThan(2000);
        }
    }

    @Test
    void clientsReadBackExactValuesInTextAndBinary() throws SQLException {
        String columns = "i4, f8, t, ba, d, tz, ai, b";
        for (String mode : new String[] {"prepareThreshold=0", "prepareThreshold=1&binaryTransfer=true"}) {
            try (Connection c = stack.connect(mode); Statement s = c.createStatement()) {
                String viaScript;
                String direct;
                try (ResultSet rs = s.executeQuery(exec("OutputDataSet <- InputDataSet",
                        "SELECT " + columns + " FROM r_exact ORDER BY k", ""))) {
                    viaScript = dump(rs);
                }
                try (ResultSet rs = s.executeQuery("SELECT " + columns + " FROM r_exact ORDER BY k")) {
                    direct = dump(rs);
                }
                assertThat(viaScript).as(mode).isEqualTo(direct);
            }
        }
    }

    @Test
    void psycopg2BindsParametersOfAnRScript() {
        String out = stack.python("""
                import os, psycopg2
                conn = psycopg2.connect(os.environ['EXTENSA_DSN'])
                cur = conn.cursor()
                cur.execute("EXEC sp_execute_external_script @language = N'R', "
                            "@script = N'OutputDataSet <- data.frame(v = v * 2L, s = toupper(s))', "
                            "@params = N'@v int, @s nvarchar(20)', @v = %s, @s = %s", (7, "it's"))
                print(cur.description[0].name, cur.fetchall())
                """).assertOk().stdout();
        assertThat(out).contains("v [(14, \"IT'S\")]");
    }

    @Test
    void rsOwnDbiDriverRunsAnRScriptThroughTheGateway() {
        String program = """
                library(DBI)
                con <- dbConnect(RPostgreSQL::PostgreSQL(), host = "127.0.0.1", port = %d, dbname = "extensa",
                                 user = "extensa", password = "%s")
                d <- dbGetQuery(con, "EXEC sp_execute_external_script @language = N'R', @script = N'
                OutputDataSet <- data.frame(name = c(\\"a\\", NA), n = c(1.5, NA), when = as.Date(c(\\"2024-01-02\\", NA)))'")
                cat(paste(names(d), collapse = ","), "\\n")
                cat(vapply(d, function(x) class(x)[1], ""), "\\n")
                cat(d$name[1], is.na(d$name[2]), d$n[1], is.na(d$n[2]), format(d$when[1]), "\\n")
                dbDisconnect(con)
                """.formatted(stack.port(), ExtensaStack.PASSWORD);
        var r = ExtensaStack.run(List.of("/usr/bin/Rscript", "--vanilla", "-e", program), "", Map.of(), Duration.ofMinutes(2))
                .assertOk();
        assertThat(r.stdout()).contains("name,n,when").contains("character numeric Date").contains("a TRUE 1.5 TRUE 2024-01-02");
    }

    @Test
    void aBackgroundProcessTheScriptStartsEndsWithTheJob() throws Exception {
        // a duration no other process uses marks the orphan
        String marker = "sleep 299." + (System.nanoTime() % 1_000_000_000L);
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute(exec("system(\"" + marker + "\", wait = FALSE)\nSys.sleep(0.5)", null, ""));
        }
        long left = -1;
        for (int i = 0; i < 600 && left != 0; i++) {
            left = ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(marker)).count();
            Thread.sleep(50);
        }
        assertThat(left).as("processes running '" + marker + "' after the call").isZero();
    }

    @Test
    void rClassesBecomeTheirPostgresTypes() throws SQLException {
        String script = """
                OutputDataSet <- data.frame(
                    at = as.POSIXct(c("2024-03-01 12:00:00.25", NA), tz = "Europe/Berlin"),
                    took = as.difftime(c(90061.5, NA), units = "secs"),
                    level = factor(c("high", NA), levels = c("low", "high"), ordered = TRUE),
                    day = as.Date(c("2024-02-29", NA)),
                    nums = I(list(c(1L, NA, 3L), NULL)),
                    blob = I(list(as.raw(c(0, 255)), NULL)),
                    x = c(-Inf, NaN))
                """;
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            try (ResultSet rs = s.executeQuery(exec(script, null, ""))) {
                List<String> types = new java.util.ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    types.add(rs.getMetaData().getColumnTypeName(i));
                }
                assertThat(types).containsExactly("timestamptz", "interval", "text", "date", "_int4", "bytea", "float8");
                assertThat(dump(rs)).isEqualTo("2024-03-01 11:00:00.25+00|1 day 01:01:01.5|high|2024-02-29|{1,NULL,3}|\\x00ff|-Infinity|\n"
                        + "null|null|null|null|null|null|NaN|\n");
            }
        }
    }

    @Test
    void scriptsForkWithParallelAndSeeNoJobSecrets() throws SQLException {
        String script = """
                squares <- unlist(parallel::mclapply(1:4, function(i) i * i, mc.cores = 2))
                OutputDataSet <- data.frame(total = sum(squares),
                                            secrets = length(grep("^EXTENSA_JOB_(SECRET|SOCKET)", names(Sys.getenv()))))
                """;
        try (Connection c = stack.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(exec(script, null, ""))) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt("total")).isEqualTo(30);
            assertThat(rs.getInt("secrets")).isZero();
        }
    }

    private static String dump(ResultSet rs) throws SQLException {
        StringBuilder sb = new StringBuilder();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            for (int i = 1; i <= n; i++) {
                sb.append(rs.getString(i)).append('|');
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
