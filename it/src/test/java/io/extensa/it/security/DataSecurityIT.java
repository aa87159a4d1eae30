package io.extensa.it.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.ProcessResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * The issue's three roles: an admin; {@code analyst} with EXECUTE ANY EXTERNAL SCRIPT and SELECT on
 * table {@code a} only, under a row-level security policy; {@code viewer} with SELECT on {@code a}
 * and no script permission. Scripts see exactly what their caller may see, through the input
 * query and through the loopback helper (extensa.query / extensa.execute), and cannot change
 * who they run as.
 */
class DataSecurityIT {

    private static ExtensaStack stack;

    /** Every identity change a script might try; each must be refused and leave it as the caller. */
    static final List<String> IDENTITY_CHANGES = List.of("RESET ROLE", "SET ROLE extensa", "SET ROLE NONE",
            "SET SESSION AUTHORIZATION extensa", "SET SESSION AUTHORIZATION DEFAULT", "RESET SESSION AUTHORIZATION",
            "SELECT pg_catalog.set_config('role', 'none', false)",
            "SELECT pg_catalog.set_config('role', 'extensa', false)",
            "SELECT pg_catalog.set_config('session_authorization', 'extensa', false)",
            "RESET ALL", "DISCARD ALL", "COMMIT", "ROLLBACK", "BEGIN", "SAVEPOINT s", "/* hidden */ reset \"role\"",
            "DO $$BEGIN EXECUTE 'RESET ROLE'; END$$");

    @BeforeAll
    static void roles() throws SQLException {
        stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            // public explicitly: for role extensa, "$user" in the search path is Extensa's catalog schema
            s.execute("DROP TABLE IF EXISTS public.a, public.b");
            for (String role : new String[] {"analyst", "viewer"}) {
                s.execute("DO $$BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + role
                        + "') THEN EXECUTE 'DROP OWNED BY " + role + "'; END IF; END$$");
                s.execute("DROP ROLE IF EXISTS " + role);
            }
            s.execute("CREATE ROLE analyst LOGIN PASSWORD 'pw-analyst'");
            s.execute("CREATE ROLE viewer LOGIN PASSWORD 'pw-viewer'");
            s.execute("CREATE TABLE public.a (id int, owner text, amount int)");
            s.execute("INSERT INTO public.a VALUES (1, 'analyst', 10), (2, 'analyst', 20), (3, 'someone', 300), "
                    + "(4, 'viewer', 4000)");
            s.execute("ALTER TABLE public.a ENABLE ROW LEVEL SECURITY");
            s.execute("CREATE POLICY own_rows ON public.a FOR SELECT USING (owner = current_user)");
            s.execute("CREATE TABLE public.b (id int, secret text)");
            s.execute("INSERT INTO public.b VALUES (1, 'top secret')");
            s.execute("GRANT CONNECT ON DATABASE extensa TO analyst, viewer");
            s.execute("GRANT SELECT ON public.a TO analyst, viewer");
            s.execute("GRANT EXECUTE ANY EXTERNAL SCRIPT TO analyst");
        }
    }

    static Connection as(String role) throws SQLException {
        return stack.connectAs(role, "pw-" + role);
    }

    /** EXEC of a Python script (text as written, quotes doubled here) with an optional input query. */
    static String exec(String script, String input) {
        return "EXEC sp_execute_external_script @language = N'Python', @script = N'" + script.replace("'", "''") + "'"
                + (input == null ? "" : ", @input_data_1 = N'" + input.replace("'", "''") + "'");
    }

    /**
     * Opens a transaction block the gateway knows about: pgjdbc sends BEGIN in the same pipeline
     * as the first statement, and an EXEC there would count as outside a block (docs/security.md).
     */
    static void begin(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT 1");
        }
    }

    static List<String> column(Statement s, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void viewerIsRefusedBeforeAnythingRuns() throws SQLException {
        try (Connection viewer = as("viewer"); Statement s = viewer.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery(exec("OutputDataSet = InputDataSet", "SELECT * FROM a")))
                    .hasMessageContaining("EXECUTE ANY EXTERNAL SCRIPT")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("42501");
            assertThat(column(s, "SELECT count(*) FROM a")).as("viewer still reads a in SQL").containsExactly("1");
        }
    }

    @Test
    void analystsInputQueryOnBFailsWithPostgresPermissionError() throws SQLException {
        try (Connection analyst = as("analyst"); Statement s = analyst.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery(exec("OutputDataSet = InputDataSet", "SELECT * FROM b")))
                    .hasMessageContaining("permission denied for table b")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("42501");
        }
    }

    @Test
    void analystsScriptSeesOnlyItsRowsThroughInputAndLoopback() throws SQLException {
        String script = String.join("\n",
                "import extensa, pandas as pd",
                "mine = extensa.query('SELECT id, amount FROM a ORDER BY id')",
                "one = extensa.query('SELECT id FROM a WHERE amount > $1 AND owner = $2', [15, 'analyst'])",
                "OutputDataSet = pd.DataFrame({'what': ['input', 'loopback', 'param', 'who'],",
                "  'v': [','.join(map(str, InputDataSet['id'])), ','.join(map(str, mine['id'])),",
                "        ','.join(map(str, one['id'])), extensa.query('SELECT current_user AS u')['u'][0]]})");
        try (Connection analyst = as("analyst"); Statement s = analyst.createStatement()) {
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery(exec(script, "SELECT id FROM a ORDER BY id"))) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + "=" + rs.getString(2));
                }
            }
            assertThat(rows).containsExactly("input=1,2", "loopback=1,2", "param=2", "who=analyst");
        }
    }

    @Test
    void loopbackQueryOnBFailsThroughTheHelper() throws SQLException {
        String script = String.join("\n",
                "import extensa, pandas as pd",
                "try:",
                "    extensa.query('SELECT * FROM b')",
                "    state = 'read b!'",
                "except extensa.QueryError as e:",
                "    state = e.sqlstate + ' ' + e.message",
                "OutputDataSet = pd.DataFrame({'s': [state, str(extensa.query('SELECT count(*) AS n FROM a')['n'][0])]})");
        try (Connection analyst = as("analyst"); Statement s = analyst.createStatement()) {
            // in a transaction block each loopback statement has its own savepoint: the script goes on
            begin(analyst);
            assertThat(column(s, exec(script, null))).containsExactly("42501 permission denied for table b", "2");
            assertThat(column(s, "SELECT current_user")).containsExactly("analyst");
            analyst.commit();
            // outside a block the failed statement aborts the caller's implicit transaction, so the call fails
            analyst.setAutoCommit(true);
            assertThatThrownBy(() -> s.executeQuery(exec(script, null)))
                    .hasMessageContaining("permission denied for table b")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("42501");
            assertThat(column(s, "SELECT current_user")).containsExactly("analyst");
        }
    }

    /** Python that tries every identity change through the helper and reports, then who it is and whether b is readable. */
    static String tryIdentityChanges() {
        StringBuilder py = new StringBuilder("import extensa, pandas as pd\nresults = []\nfor stmt in [");
        for (String stmt : IDENTITY_CHANGES) {
            py.append("'''").append(stmt).append("''', ");
        }
        py.append("]:\n")
                .append("    try:\n")
                .append("        extensa.execute(stmt)\n")
                .append("        results.append('ALLOWED ' + stmt)\n")
                .append("    except extensa.QueryError as e:\n")
                .append("        results.append(e.sqlstate)\n")
                .append("who = extensa.query(\"SELECT current_user AS c, session_user AS s, "
                        + "pg_catalog.current_setting('role') AS r\")\n")
                .append("results.append('who ' + who['c'][0] + ' ' + who['r'][0])\n")
                .append("try:\n")
                .append("    extensa.query('SELECT * FROM b')\n")
                .append("    results.append('b readable')\n")
                .append("except extensa.QueryError as e:\n")
                .append("    results.append('b ' + e.sqlstate)\n")
                .append("OutputDataSet = pd.DataFrame({'r': results})\n");
        return py.toString();
    }

    /** The same through R's extensa_query() / extensa_execute(). */
    static String tryIdentityChangesInR() {
        StringBuilder r = new StringBuilder("results <- character(0)\nfor (stmt in c(");
        for (int i = 0; i < IDENTITY_CHANGES.size(); i++) {
            r.append(i > 0 ? ", " : "").append("r\"(").append(IDENTITY_CHANGES.get(i)).append(")\"");
        }
        r.append(")) {\n")
                .append("  results <- c(results, tryCatch({ extensa_execute(stmt); paste('ALLOWED', stmt) },\n")
                .append("                                  extensa_query_error = function(e) e$sqlstate))\n")
                .append("}\n")
                .append("mine <- extensa_query('SELECT id FROM a WHERE amount > $1 AND owner = $2 ORDER BY id', "
                        + "list(5, 'analyst'))\n")
                .append("results <- c(results, paste('rows', paste(mine$id, collapse = ',')))\n")
                .append("who <- extensa_query(\"SELECT current_user AS c, pg_catalog.current_setting('role') AS r\")\n")
                .append("results <- c(results, paste('who', who$c, who$r))\n")
                .append("results <- c(results, tryCatch({ extensa_query('SELECT * FROM b'); 'b readable' },\n")
                .append("                               extensa_query_error = function(e) paste('b', e$sqlstate)))\n")
                .append("OutputDataSet <- data.frame(r = results)\n");
        return r.toString();
    }

    @Test
    void rsHelperRunsAsTheCallerAndCannotChangeIdentity() throws SQLException {
        List<String> expected = new ArrayList<>();
        for (String stmt : IDENTITY_CHANGES) {
            boolean noOp = stmt.contains("'role', 'none'") || stmt.startsWith("DO");
            expected.add(noOp ? "ALLOWED " + stmt : "42501");
        }
        expected.add("rows 1,2");
        expected.add("who analyst none");
        expected.add("b 42501");
        try (Connection analyst = as("analyst"); Statement s = analyst.createStatement()) {
            begin(analyst);
            assertThat(column(s, "EXEC sp_execute_external_script @language = N'R', @script = N'"
                    + tryIdentityChangesInR().replace("'", "''") + "'")).containsExactlyElementsOf(expected);
            analyst.commit();
            assertThat(column(s, "SELECT current_user")).containsExactly("analyst");
        }
    }

    @Test
    void identityChangesThroughTheHelperLeaveTheScriptAsAnalyst() throws SQLException {
        List<String> expected = new ArrayList<>();
        for (String stmt : IDENTITY_CHANGES) {
            // for a session that never set a role these two change nothing, so they may run
            boolean noOp = stmt.contains("'role', 'none'") || stmt.startsWith("DO");
            expected.add(noOp ? "ALLOWED " + stmt : "42501");
        }
        expected.add("who analyst none");
        expected.add("b 42501");
        try (Connection analyst = as("analyst"); Statement s = analyst.createStatement()) {
            begin(analyst);
            assertThat(column(s, exec(tryIdentityChanges(), null))).containsExactlyElementsOf(expected);
            analyst.commit();
        }
    }

    /**
     * The hard case: an admin session that merely ran SET ROLE analyst. RESET ROLE or set_config
     * would make the script the superuser again; every attempt must be refused or rolled back.
     */
    @Test
    void anAdminSessionThatSetRoleAnalystStaysAnalyst() throws SQLException {
        List<String> expected = new ArrayList<>();
        IDENTITY_CHANGES.forEach(stmt -> expected.add("42501"));
        expected.add("who analyst analyst");
        expected.add("b 42501");
        try (Connection admin = stack.connect(); Statement s = admin.createStatement()) {
            s.execute("SET ROLE analyst");
            begin(admin);
            assertThat(column(s, exec(tryIdentityChanges(), null))).containsExactlyElementsOf(expected);
            admin.commit();
            admin.setAutoCommit(true);
            // outside a block: the change is undone with the aborted transaction and the call fails
            String sneaky = "import extensa\nextensa.query(\"SELECT pg_catalog.set_config('role', 'none', false)\")\n"
                    + "OutputDataSet = extensa.query('SELECT * FROM b')";
            assertThatThrownBy(() -> s.executeQuery(exec(sneaky, null)))
                    .hasMessageContaining("cannot change the identity")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("42501");
            assertThat(column(s, "SELECT current_user || ' ' || pg_catalog.current_setting('role')"))
                    .containsExactly("analyst analyst");
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM b")).hasMessageContaining("permission denied");
        }
    }

    @Test
    void executeReturnsAffectedRowsInTheCallersTransaction() throws SQLException {
        try (Connection admin = stack.connect(); Statement s = admin.createStatement()) {
            s.execute("DROP TABLE IF EXISTS public.lb_log");
            s.execute("CREATE TABLE public.lb_log (n int)");
            s.execute("GRANT INSERT, SELECT ON public.lb_log TO analyst");
        }
        String script = "import extensa, pandas as pd\n"
                + "n = extensa.execute('INSERT INTO lb_log SELECT generate_series(1, $1)', [3])\n"
                + "OutputDataSet = pd.DataFrame({'n': [n]})";
        try (Connection analyst = as("analyst"); Statement s = analyst.createStatement()) {
            begin(analyst);
            assertThat(column(s, exec(script, null))).containsExactly("3");
            analyst.rollback();
            assertThat(column(s, "SELECT count(*) FROM lb_log")).as("rolled back with the caller").containsExactly("0");
            assertThat(column(s, exec(script, null))).containsExactly("3");
            analyst.commit();
            assertThat(column(s, "SELECT count(*) FROM lb_log")).containsExactly("3");
        }
    }

    @Test
    void perLanguageGrantsRevokeAndTheSwitch() throws SQLException {
        String hello = exec("OutputDataSet = InputDataSet", "SELECT 1 AS one");
        try (Connection admin = stack.connect(); Statement a = admin.createStatement();
             Connection viewer = as("viewer"); Statement v = viewer.createStatement()) {
            a.execute("GRANT EXECUTE EXTERNAL SCRIPT ON EXTERNAL LANGUAGE::Python TO viewer");
            try {
                assertThat(column(v, hello)).containsExactly("1");
                // R: the permission check comes before the language lookup, so this holds whether or not R is installed
                assertThatThrownBy(() -> v.executeQuery(hello.replace("N'Python'", "N'R'")))
                        .hasMessageContaining("EXTERNAL LANGUAGE::R")
                        .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("42501");
            } finally {
                a.execute("REVOKE EXECUTE EXTERNAL SCRIPT ON EXTERNAL LANGUAGE::Python FROM viewer");
            }
            assertThatThrownBy(() -> v.executeQuery(hello)).as("REVOKE holds for the next call")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("42501");
            try (Connection analyst = as("analyst"); Statement s = analyst.createStatement()) {
                try {
                    a.execute("EXEC sp_configure 'external scripts enabled', 0");
                    a.execute("RECONFIGURE");
                    assertThatThrownBy(() -> s.executeQuery(hello)).hasMessageContaining("disabled");
                    assertThatThrownBy(() -> a.executeQuery(hello)).hasMessageContaining("disabled");
                } finally {
                    a.execute("EXEC sp_configure 'external scripts enabled', 1");
                    a.execute("RECONFIGURE");
                }
                assertThat(column(s, hello)).containsExactly("1");
            }
        }
    }

    /** Identity changes a standard client might try (its BEGIN/COMMIT are its own transaction, tested apart). */
    static final List<String> CLIENT_IDENTITY_CHANGES = IDENTITY_CHANGES.stream()
            .filter(stmt -> !List.of("COMMIT", "ROLLBACK", "BEGIN").contains(stmt)).toList();

    /** Python (psycopg2 on the job's loopback socket) that reports rows, parameters, b, identity attempts, identity. */
    static String psycopg2Script() {
        StringBuilder py = new StringBuilder(String.join("\n",
                "import extensa, psycopg2, pandas as pd",
                "out = []",
                "conn = psycopg2.connect(extensa.connection_string())",
                "conn.autocommit = True",
                "cur = conn.cursor()",
                "cur.execute('SELECT id FROM a ORDER BY id')",
                "out.append('rows ' + ','.join(str(r[0]) for r in cur.fetchall()))",
                "cur.execute('SELECT id FROM a WHERE amount > %s AND owner = %s', (15, 'analyst'))",
                "out.append('param ' + ','.join(str(r[0]) for r in cur.fetchall()))",
                "try:",
                "    cur.execute('SELECT * FROM b')",
                "    out.append('b readable')",
                "except psycopg2.Error as e:",
                "    out.append('b ' + e.pgcode)",
                "for stmt in ["));
        for (String stmt : CLIENT_IDENTITY_CHANGES) {
            py.append("'''").append(stmt).append("''', ");
        }
        py.append("]:\n")
                .append("    try:\n")
                .append("        cur.execute(stmt)\n")
                .append("        out.append('ALLOWED ' + stmt)\n")
                .append("    except psycopg2.Error as e:\n")
                .append("        out.append(e.pgcode)\n")
                .append("cur.execute(\"SELECT current_user, pg_catalog.current_setting('role')\")\n")
                .append("out.append('who ' + ' '.join(cur.fetchone()))\n")
                .append("conn.close()\n")
                .append("OutputDataSet = pd.DataFrame({'r': out})\n");
        return py.toString();
    }

    @Test
    void psycopg2InTheScriptRunsAsTheCallerAndCannotChangeIdentity() throws SQLException {
        List<String> expected = new ArrayList<>(List.of("rows 1,2", "param 2", "b 42501"));
        CLIENT_IDENTITY_CHANGES.forEach(stmt -> expected.add("42501"));
        expected.add("who analyst analyst");
        try (Connection admin = stack.connect(); Statement s = admin.createStatement()) {
            // the hard case again: a superuser session that ran SET ROLE analyst
            s.execute("SET ROLE analyst");
            begin(admin);
            assertThat(column(s, exec(psycopg2Script(), null))).containsExactlyElementsOf(expected);
            admin.commit();
            assertThat(column(s, "SELECT current_user")).containsExactly("analyst");
        }
    }

    @Test
    void rPostgreSqlInAnRScriptRunsAsTheCallerOnTheJobsSocket() throws SQLException {
        // libpq's keyword/value connection string, taken apart for RPostgreSQL's dbConnect
        String script = String.join("\n",
                "library(DBI)",
                "dsn <- Sys.getenv('EXTENSA_LOOPBACK_DSN')",
                "pairs <- regmatches(dsn, gregexpr(\"[a-z]+=('[^']*'|[^ ]*)\", dsn))[[1]]",
                "kv <- setNames(gsub(\"^'|'$\", '', sub('^[a-z]+=', '', pairs)), sub('=.*', '', pairs))",
                "con <- dbConnect(RPostgreSQL::PostgreSQL(), host = kv[['host']], port = as.integer(kv[['port']]),",
                "                 user = kv[['user']], password = kv[['password']], dbname = kv[['dbname']])",
                "out <- paste('rows', paste(dbGetQuery(con, 'SELECT id FROM a ORDER BY id')$id, collapse = ','))",
                "# RPostgreSQL reports a failed statement as a NULL result (and a warning), the error in dbGetException",
                "failure <- function(text) if (grepl('permission denied', text)) 'b 42501' else text",
                "b <- tryCatch(suppressWarnings({",
                "  r <- dbGetQuery(con, 'SELECT * FROM b')",
                "  if (is.null(r)) failure(dbGetException(con)$errorMsg) else paste('b readable', NROW(r))",
                "}), error = function(e) failure(conditionMessage(e)))",
                "who <- dbGetQuery(con, 'SELECT current_user AS u')$u",
                "dbDisconnect(con)",
                "OutputDataSet <- data.frame(r = c(out, b, paste('who', who)))");
        try (Connection analyst = as("analyst"); Statement s = analyst.createStatement()) {
            // in a transaction block, a failing loopback statement rolls back to its savepoint only
            begin(analyst);
            assertThat(column(s, "EXEC sp_execute_external_script @language = N'R', @script = N'"
                    + script.replace("'", "''") + "'")).containsExactly("rows 1,2", "b 42501", "who analyst");
            analyst.commit();
        }
    }

    @Test
    void psycopg2TransactionsAreSavepointsInTheCallersTransaction() throws SQLException {
        try (Connection admin = stack.connect(); Statement s = admin.createStatement()) {
            s.execute("DROP TABLE IF EXISTS public.lb_client");
            s.execute("CREATE TABLE public.lb_client (n int)");
            s.execute("GRANT INSERT, SELECT ON public.lb_client TO analyst");
        }
        String script = String.join("\n",
                "import extensa, psycopg2, pandas as pd",
                "conn = psycopg2.connect(extensa.connection_string())",
                "cur = conn.cursor()",
                "cur.execute('INSERT INTO lb_client VALUES (1), (2)')",
                "conn.rollback()",
                "cur.execute('INSERT INTO lb_client VALUES (%s)', (10,))",
                "try:",
                "    cur.execute('SELECT * FROM b')",
                "except psycopg2.Error:",
                "    conn.rollback()",
                "cur.execute('INSERT INTO lb_client VALUES (%s)', (20,))",
                "conn.commit()",
                "cur.execute(\"SELECT string_agg(n::text, ',' ORDER BY n) FROM lb_client\")",
                "OutputDataSet = pd.DataFrame({'r': [cur.fetchone()[0]]})",
                "conn.close()");
        try (Connection analyst = as("analyst"); Statement s = analyst.createStatement()) {
            begin(analyst);
            assertThat(column(s, exec(script, null))).containsExactly("20");
            analyst.commit();
            assertThat(column(s, "SELECT string_agg(n::text, ',') FROM lb_client")).containsExactly("20");
        }
    }

    @Test
    void theJobsCredentialIsRefusedAfterTheJobAndWithAnyOtherToken() throws SQLException {
        String first = "import extensa, pandas as pd\nOutputDataSet = pd.DataFrame({'dsn': [extensa.connection_string()]})";
        String probe = String.join("\n",
                "import extensa, psycopg2, re, pandas as pd",
                "mine = extensa.connection_string()",
                "old_token = re.search(r'password=(\\S+)', old).group(1)",
                "attempts = [('ended job', old),",
                "            ('old token', re.sub(r'password=\\S+', 'password=' + old_token, mine)),",
                "            ('wrong token', re.sub(r'password=\\S+', 'password=wrong', mine)),",
                "            ('other user', re.sub(r'user=\\S+', 'user=extensa', mine)),",
                "            ('own token', mine)]",
                "out = []",
                "for name, dsn in attempts:",
                "    try:",
                "        c = psycopg2.connect(dsn, connect_timeout=5)",
                "        c.close()",
                "        out.append(name + ' accepted')",
                "    except psycopg2.OperationalError as e:",
                "        out.append(name + ' refused: ' + str(e).strip().splitlines()[-1])",
                "OutputDataSet = pd.DataFrame({'r': out})");
        try (Connection analyst = as("analyst"); Statement s = analyst.createStatement()) {
            String dsn = column(s, exec(first, null)).get(0);
            assertThat(dsn).contains("/.extensa-loopback").contains("user=analyst").contains("password=");
            // another process, after the job: the socket is gone with the job
            ProcessResult outside = ExtensaStack.run(List.of(ExtensaStack.PYTHON, "-c",
                    "import psycopg2, sys\ntry:\n    psycopg2.connect(sys.argv[1], connect_timeout=5)\n    print('accepted')\n"
                            + "except psycopg2.OperationalError as e:\n    print('refused', e)", dsn), "",
                    Map.of(), Duration.ofMinutes(1));
            assertThat(outside.stdout()).startsWith("refused");
            String call = "EXEC sp_execute_external_script @language = N'Python', @script = N'"
                    + probe.replace("'", "''") + "', @params = N'@old nvarchar(max)', @old = N'" + dsn + "'";
            List<String> results = column(s, call);
            assertThat(results).hasSize(5);
            assertThat(results.get(0)).startsWith("ended job refused");
            assertThat(results.get(1)).startsWith("old token refused").contains("password authentication failed");
            assertThat(results.get(2)).startsWith("wrong token refused").contains("password authentication failed");
            assertThat(results.get(3)).startsWith("other user refused").contains("always runs as the calling user");
            assertThat(results.get(4)).isEqualTo("own token accepted");
        }
        assertThat(stackLog()).contains("loopback connection").contains("wrong token");
    }

    /**
     * The extended protocol on the loopback socket (libpq's PQexecParams, RPostgres), spoken by a
     * small raw client in the script: Parse with a parameter, Bind, Describe, Execute, Sync.
     */
    @Test
    void extendedProtocolOnTheLoopbackSocket() throws SQLException {
        String script = String.join("\n",
                "import extensa, os, re, socket, struct, pandas as pd",
                "dsn = dict(kv.split('=', 1) for kv in extensa.connection_string().split())",
                "s = socket.socket(socket.AF_UNIX)",
                "s.connect(os.path.join(dsn['host'], '.s.PGSQL.' + dsn['port']))",
                "def msg(t, body): s.sendall(t + struct.pack('!i', len(body) + 4) + body)",
                "def cstr(x): return x.encode() + b'\\0'",
                "def read():",
                "    head = s.recv(5, socket.MSG_WAITALL)",
                "    n = struct.unpack('!i', head[1:])[0] - 4",
                "    return head[:1], s.recv(n, socket.MSG_WAITALL) if n else b''",
                "def until(t):",
                "    got = []",
                "    while True:",
                "        m = read()",
                "        got.append(m)",
                "        if m[0] == t: return got",
                "body = struct.pack('!i', 196608) + cstr('user') + cstr(dsn['user']) + cstr('database') + cstr(dsn['dbname']) + b'\\0'",
                "s.sendall(struct.pack('!i', len(body) + 4) + body)",
                "assert read()[0] == b'R'",
                "msg(b'p', cstr(dsn['password']))",
                "until(b'Z')",
                "msg(b'P', cstr('') + cstr('SELECT id, current_user::text FROM a WHERE amount > $1 ORDER BY id') + struct.pack('!hi', 1, 23))",
                "msg(b'B', cstr('') + cstr('') + struct.pack('!hh', 1, 0) + struct.pack('!hi', 1, 1) + b'5' + struct.pack('!h', 0))",
                "msg(b'D', b'P' + cstr(''))",
                "msg(b'E', cstr('') + struct.pack('!i', 0))",
                "msg(b'S', b'')",
                "out = []",
                "for t, b in until(b'Z'):",
                "    if t == b'D':",
                "        n, = struct.unpack('!h', b[:2]); pos = 2; vals = []",
                "        for _ in range(n):",
                "            ln, = struct.unpack('!i', b[pos:pos + 4]); pos += 4",
                "            vals.append(b[pos:pos + ln].decode()); pos += ln",
                "        out.append(' '.join(vals))",
                "    elif t in (b'T', b'C', b'E'):",
                "        out.append(t.decode() + (' ' + re.sub(rb'\\0', b'|', b).decode() if t != b'T' else ''))",
                "msg(b'X', b'')",
                "OutputDataSet = pd.DataFrame({'r': out})");
        try (Connection analyst = as("analyst"); Statement s = analyst.createStatement()) {
            begin(analyst);
            assertThat(column(s, exec(script, null))).containsExactly("T", "1 analyst", "2 analyst", "C SELECT 2|");
            analyst.commit();
        }
    }

    /** psql, the simple query protocol, as analyst: inside a block the script goes on; outside, the call fails. */
    @Test
    void psqlCallerWithTheHelper() {
        String script = "import extensa, pandas as pd\nr = []\nfor stmt in [\"RESET ROLE\", \"SELECT * FROM b\"]:\n"
                + "    try:\n        extensa.query(stmt)\n        r.append(\"ok\")\n"
                + "    except extensa.QueryError as e:\n        r.append(e.sqlstate)\n"
                + "r.append(extensa.query(\"SELECT current_user AS u\")[\"u\"][0])\n"
                + "OutputDataSet = pd.DataFrame({\"r\": r})";
        String sql = "BEGIN;\n" + exec(script, null) + ";\nCOMMIT;\n" + exec(script, null) + ";\n";
        ProcessResult r = ExtensaStack.run(List.of("psql", "-X", "-h", "127.0.0.1", "-p", String.valueOf(stack.port()),
                "-U", "analyst", "-d", "extensa", "-At"), sql, Map.of("PGPASSWORD", "pw-analyst"), Duration.ofMinutes(2));
        assertThat(r.stdout()).contains("42501\n42501\nanalyst\n");
        assertThat(r.stderr()).contains("permission denied for table b");
    }

    /** Multi-unit calls read input while scripts run, so they offer no loopback; the helper says so. */
    @Test
    void streamingCallsOfferNoLoopback() throws SQLException {
        String script = "import extensa, pandas as pd\nmsgs = []\n"
                + "for f in (lambda: extensa.query('SELECT 1'), extensa.connection_string):\n"
                + "    try:\n        f()\n        msgs.append('available')\n"
                + "    except RuntimeError as e:\n        msgs.append(str(e))\n"
                + "OutputDataSet = pd.DataFrame({'m': msgs})";
        try (Connection analyst = as("analyst"); Statement s = analyst.createStatement()) {
            List<String> out = column(s, exec(script, "SELECT id FROM a") + ", @r_rowsPerRead = 1");
            assertThat(out).hasSize(4).allMatch(m -> m.contains("not") && m.contains("streaming"));
        }
    }

    static String stackLog() {
        try {
            return Files.readString(Path.of("target", "it-gateway.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
