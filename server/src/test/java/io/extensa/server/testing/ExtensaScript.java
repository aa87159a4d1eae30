package io.extensa.server.testing;

import io.extensa.server.process.CommandResult;
import io.extensa.server.process.CommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs the real {@code bin/extensa} script, optionally as another user (runuser). */
public final class ExtensaScript {

    private final Path script;
    private final Map<String, String> environment;
    private final String user;

    private ExtensaScript(Path script, Map<String, String> environment, String user) {
        this.script = script;
        this.environment = Map.copyOf(environment);
        this.user = user;
    }

    public static ExtensaScript fromRepository() {
        Path root = repositoryRoot();
        Path script = root.resolve("bin/extensa");
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException(script + " is missing");
        }
        return new ExtensaScript(script, Map.of(), null);
    }

    public static Path repositoryRoot() {
        String configured = System.getProperty("extensa.root");
        Path root = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath().getParent();
        if (!Files.exists(root.resolve("bin/extensa"))) {
            root = Path.of("").toAbsolutePath();
        }
        return root;
    }

    /** A copy that also sets {@code name=value} in the script's environment. */
    public ExtensaScript env(String name, String value) {
        var more = new HashMap<>(environment);
        more.put(name, value);
        return new ExtensaScript(script, more, user);
    }

    /** A copy that runs the script as {@code name} (through runuser; needs root). */
    public ExtensaScript asUser(String name) {
        return new ExtensaScript(script, environment, name);
    }

    public CommandResult run(String... args) {
        var command = new ArrayList<String>();
        if (user != null) {
            command.addAll(List.of("runuser", "-u", user, "--", "env"));
            environment.forEach((k, v) -> command.add(k + "=" + v));
        }
        command.add(script.toString());
        command.addAll(List.of(args));
        CommandRunner runner = CommandRunner.inherited().withoutEnvironmentPrefix("EXTENSA_")
                .inDirectory(Path.of("/tmp")).withTimeout(Duration.ofMinutes(4));
        if (user == null) {
            runner = runner.withEnvironment(environment);
        }
        return runner.run(command);
    }
}
