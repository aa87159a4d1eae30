package io.extensa.server.testing;

import io.extensa.server.process.CommandResult;
import io.extensa.server.process.CommandRunner;
import io.extensa.server.process.OsAccount;
import io.extensa.server.process.Processes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** An unprivileged OS account made for one test (needs root), removed with its processes afterwards. */
public final class TempUser implements AutoCloseable {

    private final String name;
    private final Path home;

    private TempUser(String name, Path home) {
        this.name = name;
        this.home = home;
    }

    public static TempUser create(Path parent) {
        String name = "extit" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
        Path home = parent.resolve(name);
        CommandResult result = CommandRunner.inherited().run(List.of("useradd", "--create-home", "--home-dir",
                home.toString(), "--shell", "/bin/bash", name));
        if (!result.succeeded()) {
            throw new IllegalStateException("useradd failed: " + result.describe());
        }
        return new TempUser(name, home);
    }

    public String name() {
        return name;
    }

    public Path home() {
        return home;
    }

    public OsAccount account() {
        return OsAccount.lookup(name).orElseThrow();
    }

    @Override
    public void close() {
        int uid = account().uid();
        // Anything of the user's still running is a leak the test reports elsewhere; end it so userdel works.
        Processes.find(line -> true).stream()
                .filter(pid -> ProcessHandle.of(pid).flatMap(h -> h.info().user()).map(name::equals).orElse(false))
                .forEach(pid -> Processes.terminate(pid, Duration.ofSeconds(5)));
        CommandRunner.inherited().run(List.of("userdel", "--remove", name));
        if (OsAccount.lookup(uid).isPresent()) {
            throw new IllegalStateException("userdel did not remove " + name);
        }
    }
}
