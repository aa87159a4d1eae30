package io.extensa.runtime.r;

import io.extensa.protocol.launch.ForkRequest;
import io.extensa.protocol.message.ChildExited;
import io.extensa.protocol.message.End;
import io.extensa.protocol.message.ErrorMessage;
import io.extensa.protocol.message.Forked;
import io.extensa.protocol.message.Hello;
import io.extensa.protocol.message.Message;
import io.extensa.protocol.message.Messages;
import io.extensa.protocol.message.OutputBatch;
import io.extensa.protocol.message.Stdout;
import io.extensa.protocol.wire.FrameHeader;
import io.extensa.protocol.wire.FrameReader;
import io.extensa.protocol.wire.FrameWriter;
import io.extensa.protocol.wire.MessageType;
import io.extensa.spi.SatelliteCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The R fork server on its stdin/stdout channel: HELLO, FORK, FORKED, CHILD_EXITED, clean children. */
class RForkServerTest {

    @TempDir
    Path dir;

    private RSatellites satellites;
    private Process server;
    private FrameReader fromServer;
    private FrameWriter toServer;

    @BeforeEach
    void start() throws IOException {
        satellites = new RSatellites(dir);
        SatelliteCommand command = satellites.runtime().forkServerCommand(satellites.context()).orElseThrow();
        ProcessBuilder builder = new ProcessBuilder(command.argv()).directory(dir.toFile())
                .redirectError(dir.resolve("forkserver.err").toFile());
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.environment().put("LANG", "C.UTF-8");
        builder.environment().put("TMPDIR", "/tmp");
        server = satellites.start(builder);
        fromServer = new FrameReader(Channels.newChannel(server.getInputStream()), FrameHeader.DEFAULT_MAX_PAYLOAD);
        toServer = new FrameWriter(gathering(server.getOutputStream()), FrameHeader.DEFAULT_MAX_PAYLOAD);
        Hello hello = (Hello) Messages.decode(fromServer.read());
        assertThat(hello.isSatellite()).isFalse();
        assertThat(hello.runtime()).isEqualTo("r");
        assertThat(hello.pid()).isEqualTo(server.pid());
    }

    @AfterEach
    void stop() throws Exception {
        satellites.close();
    }

    private Message next() throws IOException {
        return Messages.decode(fromServer.read());
    }

    private void fork(String jobId, Path socket, Path workDir, Map<String, String> env, Path output) throws IOException {
        toServer.write(MessageType.FORK, new ForkRequest(jobId, socket.toString(), RSatellites.SECRET, workDir.toString(),
                env, output == null ? null : output.toString()).encode());
    }

    @Test
    void forkedChildrenRunSessionsInTheirJobDirectoryWithTheirEnvironment() throws Exception {
        for (int round = 0; round < 2; round++) {
            String jobId = "job-f" + round;
            ServerSocketChannel listener = satellites.listen("fork" + round + ".sock");
            Path work = Files.createDirectories(dir.resolve("work" + round));
            Path tmp = Files.createDirectories(work.resolve("tmp"));
            Path output = Files.createFile(dir.resolve("." + jobId + ".out"));
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PATH", "/usr/bin:/bin");
            env.put("TMPDIR", tmp.toString());
            env.put("JOB_ROUND", String.valueOf(round));
            env.put("EXTENSA_JOB_SECRET", "00");
            fork(jobId, dir.resolve("fork" + round + ".sock"), work, env, output);
            Forked forked = (Forked) next();
            assertThat(forked.jobId()).isEqualTo(jobId);
            RSatellites.Connection c = satellites.accept(listener);
            assertThat(c.hello().pid()).isEqualTo(forked.pid());
            c.run("""
                    cat(getwd(), Sys.getenv("JOB_ROUND"), nzchar(Sys.getenv("LANG")), startsWith(tempdir(), Sys.getenv("TMPDIR")),
                        R.home() == Sys.getenv("R_HOME"), nzchar(Sys.getenv("R_HOME")), is.na(Sys.getenv("EXTENSA_JOB_SECRET", NA)), "\\n")
                    cat(exists("fork_job"), ls(globalenv(), all.names = TRUE), "\\n")
                    OutputDataSet <- data.frame(pid = Sys.getpid(), r = runif(1))
                    """, List.of(), List.of());
            assertThat(c.receive()).isEqualTo(new Stdout(work.toRealPath() + " " + round + " FALSE TRUE TRUE TRUE TRUE "));
            assertThat(c.receive()).isEqualTo(new Stdout("FALSE InputDataSet "));
            List<Message> rest = c.collect();
            assertThat(((OutputBatch) rest.get(1)).batch().column(0).getInt(0)).isEqualTo((int) forked.pid());
            assertThat(rest.get(rest.size() - 1)).isEqualTo(new End());
            ChildExited exited = (ChildExited) next();
            assertThat(exited).isEqualTo(new ChildExited(jobId, forked.pid(), 0, 0));
        }
        server.getOutputStream().close();
        assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).isZero();
    }

    @Test
    void aForkServerWhoseLaunchpadLeavesDuringStartUpExitsWithoutServing() throws Exception {
        SatelliteCommand command = satellites.runtime().forkServerCommand(satellites.context()).orElseThrow();
        ProcessBuilder builder = new ProcessBuilder(command.argv()).directory(dir.toFile())
                .redirectError(dir.resolve("orphan.err").toFile());
        Process orphan = satellites.start(builder);
        orphan.getOutputStream().close();
        assertThat(orphan.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("exited").isTrue();
        assertThat(orphan.exitValue()).isZero();
        assertThat(orphan.getInputStream().readAllBytes()).as("no HELLO").isEmpty();
    }

    @Test
    void aChildThatCannotStartTellsTheEngine() throws Exception {
        ServerSocketChannel listener = satellites.listen("broken.sock");
        fork("job-broken", dir.resolve("broken.sock"), dir.resolve("no-such-directory"), Map.of("PATH", "/usr/bin"), null);
        Forked forked = (Forked) next();
        RSatellites.Connection c = satellites.accept(listener);
        ErrorMessage error = (ErrorMessage) c.receive();
        assertThat(error.kind()).isEqualTo("internal");
        assertThat(error.message()).contains("cannot start the job").contains("chdir").contains("no-such-directory");
        ChildExited exited = (ChildExited) next();
        assertThat(exited.pid()).isEqualTo(forked.pid());
        assertThat(exited.exitCode()).isEqualTo(5);
    }

    @Test
    void aKilledChildIsReportedWithItsSignal() throws Exception {
        ServerSocketChannel listener = satellites.listen("killed.sock");
        Path work = Files.createDirectories(dir.resolve("killed"));
        fork("job-killed", dir.resolve("killed.sock"), work, Map.of("PATH", "/usr/bin:/bin"), null);
        Forked forked = (Forked) next();
        RSatellites.Connection c = satellites.accept(listener);
        c.run("cat('waiting\\n')\nSys.sleep(120)", List.of(), List.of());
        assertThat(c.receive()).isEqualTo(new Stdout("waiting"));
        ProcessHandle.of(forked.pid()).orElseThrow().destroyForcibly();
        assertThat(next()).isEqualTo(new ChildExited("job-killed", forked.pid(), -1, 9));
    }

    @Test
    void sparesWaitAheadOfTheirJobsEachJobGetsOneAndTheyLeaveWithTheServer() throws Exception {
        SatelliteCommand command = satellites.runtime().forkServerCommand(satellites.context()).orElseThrow();
        ProcessBuilder builder = new ProcessBuilder(command.argv()).directory(dir.toFile())
                .redirectError(dir.resolve("spares.err").toFile());
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.environment().put("LANG", "C.UTF-8");
        builder.environment().put("TMPDIR", "/tmp");
        builder.environment().put("EXTENSA_WARM_SPARES", "2");
        Process warm = satellites.start(builder);
        FrameReader from = new FrameReader(Channels.newChannel(warm.getInputStream()), FrameHeader.DEFAULT_MAX_PAYLOAD);
        FrameWriter to = new FrameWriter(gathering(warm.getOutputStream()), FrameHeader.DEFAULT_MAX_PAYLOAD);
        assertThat(((Hello) Messages.decode(from.read())).pid()).isEqualTo(warm.pid());
        List<Long> spares = awaitChildren(warm, 2);

        ServerSocketChannel listener = satellites.listen("spare.sock");
        Path work = Files.createDirectories(dir.resolve("spare-work"));
        to.write(MessageType.FORK, new ForkRequest("job-spare", dir.resolve("spare.sock").toString(), RSatellites.SECRET,
                work.toString(), Map.of("PATH", "/usr/bin:/bin"), null).encode());
        Forked forked = (Forked) Messages.decode(from.read());
        assertThat(spares).as("a spare takes the job").contains(forked.pid());
        RSatellites.Connection c = satellites.accept(listener);
        c.run("OutputDataSet <- data.frame(x = 1L)", List.of(), List.of());
        List<Message> rest = c.collect();
        assertThat(rest.get(rest.size() - 1)).isEqualTo(new End());
        assertThat(Messages.decode(from.read())).isEqualTo(new ChildExited("job-spare", forked.pid(), 0, 0));
        List<Long> after = awaitChildren(warm, 2);
        assertThat(after).as("a new spare replaced the used one").doesNotContain(forked.pid())
                .containsAll(spares.stream().filter(pid -> pid != forked.pid()).toList());

        // a job that must be sandboxed never goes to a fork server without the sandbox library
        to.write(MessageType.FORK, new ForkRequest("job-sandboxed", dir.resolve("spare.sock").toString(),
                RSatellites.SECRET, work.toString(), Map.of("PATH", "/usr/bin:/bin"), null, "uid=1\n").encode());
        ErrorMessage refused = (ErrorMessage) Messages.decode(from.read());
        assertThat(refused.kind()).isEqualTo("internal");
        assertThat(refused.message()).contains("sandbox");
        assertThat(refused.detail()).isEqualTo("job-sandboxed");

        warm.getOutputStream().close();
        assertThat(warm.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(warm.exitValue()).isZero();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (after.stream().anyMatch(RForkServerTest::alive) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(after).as("spares end with their server, before any job").noneMatch(RForkServerTest::alive);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The server's children once there are {@code count}. */
    private static List<Long> awaitChildren(Process server, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<Long> children = List.of();
        while (System.nanoTime() < deadline) {
            children = server.toHandle().children().map(ProcessHandle::pid).toList();
            if (children.size() == count) {
                return children;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the fork server has children " + children + ", not " + count);
    }

    @Test
    void malformedRequestsAreAnsweredAndTheServerCarriesOn() throws Exception {
        Messages.write(toServer, new io.extensa.protocol.message.Heartbeat(1));
        Messages.write(toServer, new Stdout("not for a fork server"));
        ErrorMessage error = (ErrorMessage) next();
        assertThat(error.kind()).isEqualTo("protocol");
        assertThat(error.message()).contains("STDOUT");
        Messages.write(toServer, new End());
        assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).isZero();
    }

    static GatheringByteChannel gathering(OutputStream stream) {
        WritableByteChannel channel = Channels.newChannel(stream);
        return new GatheringByteChannel() {
            @Override
            public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
                long n = 0;
                for (int k = offset; k < offset + length; k++) {
                    while (srcs[k].hasRemaining()) {
                        n += channel.write(srcs[k]);
                    }
                }
                stream.flush();
                return n;
            }

            @Override
            public long write(ByteBuffer[] srcs) throws IOException {
                return write(srcs, 0, srcs.length);
            }

            @Override
            public int write(ByteBuffer src) throws IOException {
                return (int) write(new ByteBuffer[] {src});
            }

            @Override
            public boolean isOpen() {
                return channel.isOpen();
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
