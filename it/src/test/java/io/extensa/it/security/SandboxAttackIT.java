package io.extensa.it.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scripts that attack the machine they run on, through the whole stack (gateway, engine,
 * launchpad, sandboxed Python satellites): each attempt fails the way the sandbox makes it fail
 * (docs/security.md), and afterwards the server still serves and no job, process or directory
 * is left behind.
 */
class SandboxAttackIT {

    private static ExtensaStack stack;

    @BeforeAll
    static void start() {
        stack = ExtensaStack.get();
    }

    @AfterEach
    void serverKeepsServingAndNothingIsLeft() throws Exception {
        assertThat(result("r = 'still serving'")).isEqualTo("still serving");
        Path jobs = stack.dataDir().resolve("jobs");
        for (int i = 0; i < 600 && !ExtensaStack.jobEntries(jobs).isEmpty(); i++) {
            Thread.sleep(50);
        }
        assertThat(ExtensaStack.jobEntries(jobs)).as("job directories and pid files left in " + jobs).isEmpty();
    }

    /** Runs {@code body} (Python that assigns a string to r) and returns r. */
    private static String result(String body) throws SQLException {
        String script = "import pandas as pd\n" + body + "\nOutputDataSet = pd.DataFrame({'r': [str(r)]})";
        try (Connection c = stack.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(exec(script))) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static String exec(String script) {
        return "EXEC sp_execute_external_script @language = N'Python', @script = N'" + script.replace("'", "''") + "'";
    }

    /** Python that runs {@code attempt} and sets r to "ok" or to the exception's class name. */
    private static String attempt(String attempt) {
        return "try:\n" + attempt.indent(4) + "    r = 'ok'\nexcept Exception as e:\n    r = type(e).__name__\n";
    }

    @Test
    void noNetworkAtAllNotEvenTheGatewayOrPostgresqlOnLoopback() throws SQLException {
        String connect = "import socket\nsocket.create_connection(('127.0.0.1', %d), timeout=5).close()";
        assertThat(result(attempt(connect.formatted(stack.port())))).isEqualTo("ConnectionRefusedError");
        assertThat(result(attempt(connect.formatted(5432)))).isEqualTo("ConnectionRefusedError");
        assertThat(result(attempt("import socket\nsocket.create_connection(('192.0.2.1', 80), timeout=5).close()")))
                .as("no route out of the job's network namespace").isEqualTo("OSError");
        assertThat(result(attempt("import socket\nsocket.getaddrinfo('example.com', 443)"))).isEqualTo("gaierror");
        assertThat(result("import socket\nr = sorted(i[1] for i in socket.if_nameindex())")).isEqualTo("['lo']");
    }

    @Test
    void secretsAndDataDirectoriesAreOutOfSight() throws SQLException {
        assertThat(result(attempt("open('/etc/shadow').read()"))).isEqualTo("PermissionError");
        Path dataDir = stack.dataDir();
        for (Path hidden : List.of(dataDir.resolve("pgdata"), dataDir.resolve("admin-password"),
                dataDir.resolve("extensa.conf"), dataDir.resolve("log"), dataDir.resolve("run/launchpad.sock"),
                Path.of("/root"), Path.of("/home"), Path.of("/var/lib/postgresql"))) {
            assertThat(result("import os\nr = os.path.exists('" + hidden + "')")).as(hidden.toString()).isEqualTo("False");
        }
        assertThat(result("import os\nr = sorted(os.listdir('" + dataDir + "'))")).as("the data directory holds only"
                + " what the sandbox put there (libraries: only those on the caller's search path, read-only)")
                .isIn("['jobs', 'run', 'runtime']", "['jobs', 'libraries', 'run', 'runtime']");
        assertThat(result("import os\nr = [os.path.join(d, f) for d, _, fs in os.walk('" + dataDir.resolve("run")
                + "') for f in fs] == [os.environ['EXTENSA_JOB_SOCKET']]")).as("of run/ only the job's own socket")
                .isEqualTo("True");
    }

    @Test
    void theFileSystemIsReadOnlyOutsideTheJobDirectoryAndTmp() throws SQLException {
        assertThat(result(attempt("open('/usr/evil', 'w')"))).isIn("OSError", "PermissionError");
        assertThat(result(attempt("open('/etc/evil', 'w')"))).isIn("OSError", "PermissionError");
        assertThat(result(attempt("open('" + stack.dataDir().resolve("runtime/evil") + "', 'w')")))
                .isIn("OSError", "PermissionError", "FileNotFoundError");
        assertThat(result("import os\nopen('mine', 'w').write('x')\nopen('/tmp/mine', 'w').write('y')\n"
                + "r = open('mine').read() + open('/tmp/mine').read()")).isEqualTo("xy");
        assertThat(Path.of("/tmp/mine")).as("the job's /tmp is its own").doesNotExist();
    }

    @Test
    void anotherRunningJobIsInvisible() throws Exception {
        Path jobs = stack.dataDir().resolve("jobs");
        CompletableFuture<String> victim = CompletableFuture.supplyAsync(() -> {
            try {
                return result("import time\nopen('secret', 'w').write('victim data')\ntime.sleep(4)\nr = 'done'");
            } catch (SQLException e) {
                throw new RuntimeException(e);
            }
        });
        String victimId = null;
        for (int i = 0; i < 100 && victimId == null; i++) {
            victimId = ExtensaStack.jobEntries(jobs).stream().filter(n -> !n.startsWith(".")).findFirst().orElse(null);
            Thread.sleep(50);
        }
        assertThat(victimId).as("the victim job's directory").isNotNull();
        String victimDir = jobs.resolve(victimId).toString();
        assertThat(result("import os\nr = os.listdir('..')")).as("the jobs directory shows only the job's own")
                .doesNotContain(victimId);
        assertThat(result(attempt("open('" + victimDir + "/secret').read()"))).isEqualTo("FileNotFoundError");
        assertThat(result(attempt("open('" + victimDir + "/planted', 'w')"))).isEqualTo("FileNotFoundError");
        assertThat(victim.get()).isEqualTo("done");
    }

    @Test
    void otherProcessesCannotBeSeenOrSignalled() throws SQLException {
        long gateway = ProcessHandle.current().pid();
        long launchpad = stack.server().launchpadPid();
        assertThat(result(attempt("import os\nos.kill(" + launchpad + ", 9)"))).isEqualTo("ProcessLookupError");
        assertThat(result(attempt("import os\nos.kill(" + gateway + ", 9)"))).isEqualTo("ProcessLookupError");
        // "every process it may signal": none (its namespace's init runs as another account)
        assertThat(result(attempt("import os, signal\nos.kill(-1, signal.SIGKILL)"))).isEqualTo("ProcessLookupError");
        assertThat(result("import os\nr = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())"))
                .as("its namespace's init and itself").isEqualTo("[1, 2]");
        assertThat(ProcessHandle.of(launchpad).map(ProcessHandle::isAlive)).contains(true);
    }

    @Test
    void privilegesAreGoneForGood() throws SQLException {
        assertThat(result("import os\nr = os.getuid() != 0 and os.geteuid() != 0")).isEqualTo("True");
        assertThat(result(attempt("import os\nos.setuid(0)"))).isEqualTo("PermissionError");
        assertThat(result("r = {l.split(':')[0]: l.split()[1] for l in open('/proc/self/status')"
                + " if l.startswith(('CapEff', 'CapPrm', 'CapBnd', 'NoNewPrivs'))}"))
                .isEqualTo("{'CapPrm': '0000000000000000', 'CapEff': '0000000000000000',"
                        + " 'CapBnd': '0000000000000000', 'NoNewPrivs': '1'}");
        assertThat(result(attempt("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                + "assert libc.unshare(0x10000000) == 0, 'unshare'"))).isEqualTo("AssertionError");
    }

    @Test
    void aForkBombIsCapped() throws SQLException {
        String bomb = """
                import os, time
                pids = []
                r = 'not capped'
                try:
                    while len(pids) < 5000:
                        pid = os.fork()
                        if pid == 0:
                            time.sleep(60)
                            os._exit(0)
                        pids.append(pid)
                except OSError as e:
                    r = 'capped: ' + type(e).__name__
                for pid in pids:
                    os.kill(pid, 9)
                for pid in pids:
                    os.waitpid(pid, 0)
                r = r + ' after ' + str(len(pids))
                """;
        String outcome = result(bomb);
        assertThat(outcome).startsWith("capped: BlockingIOError after ");
        assertThat(Integer.parseInt(outcome.substring(outcome.lastIndexOf(' ') + 1))).isLessThan(256);
    }

    @Test
    void aFileBeyondTheSizeLimitFails() throws SQLException {
        // RLIMIT_FSIZE (launchpad.sandbox.max_file_mb, 512 MiB by default): past it, writes fail with EFBIG
        assertThat(result(attempt("import signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
                + "f = open('big', 'wb')\nf.seek(600 << 20)\nf.write(b'x')\nf.close()"))).isEqualTo("OSError");
    }

    @Test
    void garbageAndAFourGigabyteFrameOnTheProtocolSocketFailTheJobOnly() throws SQLException {
        String writeToEngine = """
                import os, socket, stat, struct
                for fd in range(3, 64):
                    try:
                        if stat.S_ISSOCK(os.fstat(fd).st_mode):
                            os.write(fd, %s)
                    except OSError:
                        pass
                import time
                time.sleep(2)
                OutputDataSet = None
                """;
        for (String bytes : List.of("b'garbage garbage garbage garbage'",
                "struct.pack('<IBBHII', 0x53545845, 1, 0x07, 0, 0xFFFFFFF8, 99)")) {
            try (Connection c = stack.connect(); Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.execute(exec(writeToEngine.formatted(bytes)))).isInstanceOf(SQLException.class);
                try (ResultSet rs = s.executeQuery("SELECT 1")) {
                    assertThat(rs.next()).as("the session survives").isTrue();
                }
            }
        }
    }
}
