package io.extensa.runtime.python;

import io.extensa.spi.LanguageRuntime;
import io.extensa.spi.RuntimeContext;
import io.extensa.spi.SatelliteCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Python language: a satellite written in Python (the {@code extensa} package, shipped in
 * this jar under {@value #RESOURCE_ROOT}/) that speaks docs/protocol.md and runs scripts with
 * pandas.
 *
 * <p>Both commands run {@code <interpreter> -I -B <home>/extensa_bootstrap.py satellite|forkserver}:
 * {@code -I} keeps the caller's PYTHON* variables, user site-packages and working directory out
 * of the interpreter, {@code -B} keeps it from writing bytecode into the shared runtime home. The
 * cold satellite reads its job from EXTENSA_JOB_SOCKET, EXTENSA_JOB_ID and EXTENSA_JOB_SECRET
 * (hex); the fork server reads FORK frames on stdin.
 *
 * <p>Settings ({@code language.python.<key>}): {@value #SETTING_INTERPRETER}, default
 * {@value #DEFAULT_INTERPRETER}; {@value #SETTING_PRELOAD}, modules the fork server imports
 * once, beyond numpy and pandas, so that every warm satellite finds them imported (e.g.
 * {@code sklearn.linear_model}: a partitioned call that fits a model per partition otherwise pays
 * the import in every satellite of every call).
 */
public final class PythonRuntime implements LanguageRuntime {

    public static final String NAME = "Python";
    /** Class-path directory holding the Python package, with a FILES list. */
    public static final String RESOURCE_ROOT = "extensa-python";
    public static final String BOOTSTRAP = "extensa_bootstrap.py";
    public static final String SETTING_INTERPRETER = "interpreter";
    public static final String DEFAULT_INTERPRETER = "/usr/bin/python3";
    public static final String SETTING_PRELOAD = "preload";
    /** Where the fork server finds the extra modules to import: comma-separated dotted names. */
    public static final String PRELOAD_VARIABLE = "EXTENSA_PRELOAD";
    private static final java.util.regex.Pattern MODULE = java.util.regex.Pattern.compile(
            "[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
    public static final String MODE_SATELLITE = "satellite";
    public static final String MODE_FORK_SERVER = "forkserver";

    /** Unpacked homes by runtime home, so the files are copied once per launchpad, not per job. */
    private final Map<Path, Path> unpacked = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SatelliteCommand satelliteCommand(RuntimeContext context) {
        return command(context, MODE_SATELLITE);
    }

    @Override
    public Optional<SatelliteCommand> forkServerCommand(RuntimeContext context) {
        return Optional.of(command(context, MODE_FORK_SERVER));
    }

    private SatelliteCommand command(RuntimeContext context, String mode) {
        String interpreter = interpreter(context);
        Path home = home(context);
        Map<String, String> environment = mode.equals(MODE_FORK_SERVER) ? preload(context) : Map.of();
        return new SatelliteCommand(List.of(interpreter, "-I", "-B", home.resolve(BOOTSTRAP).toString(), mode),
                environment);
    }

    static Map<String, String> preload(RuntimeContext context) {
        String setting = context.setting(SETTING_PRELOAD).map(String::strip).orElse("");
        if (setting.isEmpty()) {
            return Map.of();
        }
        List<String> modules = new java.util.ArrayList<>();
        for (String part : setting.split(",")) {
            String module = part.strip();
            if (!MODULE.matcher(module).matches()) {
                throw new IllegalStateException("language.python." + SETTING_PRELOAD + ": '" + module
                        + "' is not a module name (a comma-separated list like sklearn.linear_model, scipy)");
            }
            modules.add(module);
        }
        return Map.of(PRELOAD_VARIABLE, String.join(",", modules));
    }

    static String interpreter(RuntimeContext context) {
        String interpreter = context.setting(SETTING_INTERPRETER).map(String::strip).orElse(DEFAULT_INTERPRETER);
        if (interpreter.isEmpty()) {
            throw new IllegalStateException("language.python." + SETTING_INTERPRETER + " is empty");
        }
        Path path = Path.of(interpreter);
        if (path.isAbsolute() && !Files.isExecutable(path)) {
            throw new IllegalStateException("language.python." + SETTING_INTERPRETER + " = " + interpreter
                    + " is not an executable file; install python3 (Debian: apt-get install python3 python3-pandas)"
                    + " or point the setting at another interpreter");
        }
        return interpreter;
    }

    private Path home(RuntimeContext context) {
        return unpacked.computeIfAbsent(context.runtimeHome(), key -> {
            try {
                Path home = context.unpack(PythonRuntime.class.getClassLoader(), RESOURCE_ROOT);
                if (!Files.isRegularFile(home.resolve(BOOTSTRAP))) {
                    throw new IllegalStateException("unpacking the Python runtime left no " + BOOTSTRAP + " in " + home);
                }
                return home;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot unpack the Python runtime into " + key, e);
            }
        });
    }
}
