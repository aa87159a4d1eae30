package io.extensa.protocol.launch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client against a scripted peer on a real Unix socket: each accepted connection is handed
 * to the test's script together with the first message it received.
 */
class LaunchpadClientTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final byte[] SECRET = new byte[32];

    @TempDir
    Path temp;
    private ServerSocketChannel server;
    private final List<SocketChannel> accepted = new ArrayList<>();

    /** A launchpad stand-in that runs {@code script} for every connection. */
    private Path peer(BiConsumer<ControlStream, ControlMessage> script) throws IOException {
        Path socket = temp.resolve("lp.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().start(() -> {
            while (true) {
                SocketChannel channel;
                try {
                    channel = server.accept();
                } catch (IOException e) {
                    return;
                }
                synchronized (accepted) {
                    accepted.add(channel);
                }
                Thread.ofVirtual().start(() -> {
                    ControlStream stream = ControlStream.over(channel);
                    try {
                        script.accept(stream, stream.receive());
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
            }
        });
        return socket;
    }

    @AfterEach
    void closePeer() throws IOException {
        if (server != null) {
            server.close();
        }
        synchronized (accepted) {
            for (SocketChannel channel : accepted) {
                channel.close();
            }
        }
    }

    private static LaunchRequest request(String jobId) {
        return LaunchRequest.builder(jobId, "Python").socketPath("/tmp/" + jobId + ".sock").secret(SECRET).user("alice")
                .build();
    }

    private static void send(ControlStream stream, ControlMessage message) {
        try {
            stream.send(message);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static Launched launchedFor(ControlMessage message) {
        LaunchRequest request = (LaunchRequest) message;
        return new Launched(request.jobId(), 1234, "/jobs/" + request.jobId(), false, "extensa");
    }

    @Test
    void launchThenExitThenClose() throws Exception {
        BlockingQueue<ControlMessage> afterLaunch = new LinkedBlockingQueue<>();
        Path socket = peer((stream, first) -> {
            send(stream, launchedFor(first));
            try {
                ControlMessage next;
                while ((next = stream.receive()) != null) {
                    afterLaunch.add(next);
                    if (next instanceof CancelJob cancel) {
                        send(stream, new Exited(cancel.jobId(), -1, 9, ExitReason.CANCELLED, "bye"));
                    }
                }
                afterLaunch.add(new StatusRequest());   // marks the end of the stream
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        LaunchpadClient client = new LaunchpadClient(socket);
        LaunchedJob job = client.launch(request("j1"));
        assertThat(job.pid()).isEqualTo(1234);
        assertThat(job.workDir()).isEqualTo(Path.of("/jobs/j1"));
        assertThat(job.worker()).isEqualTo("extensa");
        assertThat(job.awaitExit(Duration.ofMillis(50))).isEmpty();

        job.cancel();
        assertThat(afterLaunch.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(new CancelJob("j1"));
        Exited exited = job.awaitExit(WAIT).orElseThrow();
        assertThat(exited.reason()).isEqualTo(ExitReason.CANCELLED);
        assertThat(job.exit().get()).isEqualTo(exited);
        job.cancel();   // after the exit: nothing to do

        job.close();
        assertThat(afterLaunch.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the peer sees the end").isInstanceOf(StatusRequest.class);
        assertThat(job.isClosed()).isTrue();
    }

    @Test
    void anErrorReplyBecomesAnExceptionWithItsKind() throws Exception {
        Path socket = peer((stream, first) -> send(stream,
                new LaunchError(LaunchErrorKind.UNKNOWN_LANGUAGE, "no language 'Perl'; available: Python")));
        assertThatThrownBy(() -> new LaunchpadClient(socket).launch(request("j2")))
                .isInstanceOfSatisfying(LaunchpadException.class, e -> {
                    assertThat(e.kind()).isEqualTo(LaunchErrorKind.UNKNOWN_LANGUAGE);
                    assertThat(e.getMessage()).isEqualTo("no language 'Perl'; available: Python");
                });
    }

    @Test
    void noReplyWithinTheTimeout() throws Exception {
        Path socket = peer((stream, first) -> { });
        long started = System.nanoTime();
        assertThatThrownBy(() -> new LaunchpadClient(socket, Duration.ofMillis(300)).launch(request("j3")))
                .isInstanceOfSatisfying(LaunchpadException.class,
                        e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.NO_REPLY));
        assertThatThrownBy(() -> new LaunchpadClient(socket, Duration.ofMillis(300)).status())
                .isInstanceOfSatisfying(LaunchpadException.class,
                        e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.NO_REPLY));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(WAIT);
    }

    @Test
    void noLaunchpadAtAll() {
        assertThatThrownBy(() -> new LaunchpadClient(temp.resolve("nobody.sock")).launch(request("j4")))
                .isInstanceOfSatisfying(LaunchpadException.class, e -> {
                    assertThat(e.kind()).isEqualTo(LaunchErrorKind.CONNECTION_FAILED);
                    assertThat(e.getMessage()).contains("nobody.sock").contains("is it running?");
                });
    }

    @Test
    void aLaunchpadThatGoesAwayFailsTheExit() throws Exception {
        Path socket = peer((stream, first) -> {
            send(stream, launchedFor(first));
            synchronized (accepted) {
                accepted.forEach(channel -> {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                });
            }
        });
        LaunchedJob job = new LaunchpadClient(socket).launch(request("j5"));
        assertThatThrownBy(() -> job.awaitExit(WAIT))
                .isInstanceOfSatisfying(LaunchpadException.class,
                        e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.CONNECTION_LOST));
        assertThat(job.exit()).isCompletedExceptionally();
        job.close();
    }

    @Test
    void aReplyForAnotherJobIsAProtocolViolation() throws Exception {
        Path socket = peer((stream, first) -> send(stream, new Launched("someone-else", 1, "/x", false, "u")));
        assertThatThrownBy(() -> new LaunchpadClient(socket).launch(request("j6")))
                .isInstanceOfSatisfying(LaunchpadException.class,
                        e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.PROTOCOL_VIOLATION));
    }

    @Test
    void closingBeforeTheExitFailsTheExitFuture() throws Exception {
        Path socket = peer((stream, first) -> send(stream, launchedFor(first)));
        LaunchedJob job = new LaunchpadClient(socket).launch(request("j7"));
        job.close();
        assertThatThrownBy(() -> job.awaitExit(WAIT))
                .isInstanceOfSatisfying(LaunchpadException.class,
                        e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.CLOSED));
        job.close();
        job.cancel();
    }

    @Test
    void statusAndLanguages() throws Exception {
        LaunchpadStatus status = new LaunchpadStatus(7, "0.1.0",
                List.of(new LaunchpadStatus.LanguageInfo("Python", true, 8)), List.of(), "unprivileged, no sandbox");
        Path socket = peer((stream, first) -> {
            assertThat(first).isInstanceOf(StatusRequest.class);
            send(stream, status);
        });
        LaunchpadClient client = new LaunchpadClient(socket);
        assertThat(client.status()).isEqualTo(status);
        assertThat(client.languages()).containsExactly("Python");
    }

    @Test
    void oneClientManyThreads() throws Exception {
        Path socket = peer((stream, first) -> {
            send(stream, launchedFor(first));
            LaunchRequest request = (LaunchRequest) first;
            send(stream, new Exited(request.jobId(), 0, 0, ExitReason.EXITED, ""));
        });
        LaunchpadClient client = new LaunchpadClient(socket);
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try {
            List<Future<Exited>> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String jobId = "many-" + i;
                results.add(threads.submit(() -> {
                    try (LaunchedJob job = client.launch(request(jobId))) {
                        return job.awaitExit(WAIT).orElseThrow();
                    }
                }));
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get().jobId()).isEqualTo("many-" + i);
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
