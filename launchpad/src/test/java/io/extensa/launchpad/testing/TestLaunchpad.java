package io.extensa.launchpad.testing;

import io.extensa.launchpad.Launchpad;
import io.extensa.launchpad.LaunchpadConfig;
import io.extensa.protocol.launch.LaunchRequest;
import io.extensa.protocol.launch.LaunchpadClient;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real launchpad in a temporary directory, a client for it, and fake engine sockets for its
 * jobs. Closing it closes everything it made.
 */
public final class TestLaunchpad implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger JOB_NUMBERS = new AtomicInteger();

    /** Settings that turn the sandbox on. */
    public static final Map<String, String> SANDBOXED = Map.of(LaunchpadConfig.SANDBOX, "true");

    private final Path root;
    private final Launchpad launchpad;
    private final LaunchpadClient client;
    private final List<FakeEngine> owned = new ArrayList<>();

    private TestLaunchpad(Path root, Launchpad launchpad) {
        this.root = root;
        this.launchpad = launchpad;
        this.client = new LaunchpadClient(launchpad.socketPath(), Duration.ofSeconds(20));
    }

    /**
     * The process-tree, protocol and warm-start tests watch satellites by the pids they report
     * (HELLO), which only match the launchpad's view outside a PID namespace: they run without the
     * sandbox; the sandbox tests (isolation package) turn it on with {@link #SANDBOXED}.
     */
    public static LaunchpadConfig config(Path root) {
        return LaunchpadConfig.of(root.resolve("run/launchpad.sock"), root.resolve("jobs"), root.resolve("runtime"))
                .with(LaunchpadConfig.SANDBOX, "false")
                .with(LaunchpadConfig.WARM_RESTART_MIN_MS, "200")
                .with(LaunchpadConfig.WARM_RESTART_MAX_MS, "2000");
    }

    public static TestLaunchpad start(Path root) throws IOException {
        return start(root, Map.of());
    }

    public static TestLaunchpad start(Path root, Map<String, String> settings) throws IOException {
        return new TestLaunchpad(root, new Launchpad(config(root).withSettings(settings)).start());
    }

    public Launchpad launchpad() {
        return launchpad;
    }

    public LaunchpadClient client() {
        return client;
    }

    public Path root() {
        return root;
    }

    public Path jobsDir() {
        return launchpad.config().jobsDir();
    }

    /** A fresh engine socket, closed with this fixture. */
    public FakeEngine engine() throws IOException {
        FakeEngine engine = FakeEngine.listen(root.resolve("engine/e" + JOB_NUMBERS.incrementAndGet() + ".sock"));
        owned.add(engine);
        return engine;
    }

    public static String newJobId() {
        return "job-" + JOB_NUMBERS.incrementAndGet();
    }

    public static byte[] newSecret() {
        byte[] secret = new byte[LaunchRequest.SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return secret;
    }

    /** A request for {@code language} whose satellite runs {@code mode} (see fake_satellite.py). */
    public static LaunchRequest.Builder request(String language, FakeEngine engine, String mode) {
        return LaunchRequest.builder(newJobId(), language)
                .socketPath(engine.socket())
                .secret(newSecret())
                .user("alice")
                .database("analytics")
                .env("FAKE_MODE", mode);
    }

    @Override
    public void close() throws IOException {
        launchpad.close();
        for (FakeEngine engine : owned) {
            engine.close();
        }
    }
}
