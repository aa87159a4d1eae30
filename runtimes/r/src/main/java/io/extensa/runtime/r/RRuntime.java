package io.extensa.runtime.r;

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
 * The R language: a satellite written in R (shipped in this jar under {@value #RESOURCE_ROOT}/,
 * with a small native helper compiled at build time) that speaks docs/protocol.md and runs
 * scripts on data.frames.
 *
 * <p>Both commands run {@code <rscript> --vanilla --min-nsize=2M --min-vsize=128M
 * <home>/extensa_bootstrap.R satellite|forkserver}:
 * {@code --vanilla} keeps site and user profiles, saved workspaces and the caller's R_ENVIRON out
 * of the interpreter (the library paths of R's own Renviron still apply, so Debian's r-cran-*
 * packages are found). The cold satellite reads its job from EXTENSA_JOB_SOCKET, EXTENSA_JOB_ID
 * and EXTENSA_JOB_SECRET (hex); the fork server reads FORK frames on stdin.
 *
 * <p>Settings ({@code language.r.<key>}): {@value #SETTING_RSCRIPT}, default {@value #DEFAULT_RSCRIPT}.
 */
public final class RRuntime implements LanguageRuntime {

    public static final String NAME = "R";
    /** Class-path directory holding the R sources and the native helper, with a FILES list. */
    public static final String RESOURCE_ROOT = "extensa-r";
    public static final String BOOTSTRAP = "extensa_bootstrap.R";
    public static final String NATIVE_HELPER = "extensa/extensa_native.so";
    public static final String SETTING_RSCRIPT = "rscript";
    public static final String DEFAULT_RSCRIPT = "/usr/bin/Rscript";
    public static final String MODE_SATELLITE = "satellite";
    public static final String MODE_FORK_SERVER = "forkserver";

    /**
     * The heap R starts with: the first garbage collections come only after this much has been
     * allocated, so a short job (and a fork server's child, whose collection would copy every page
     * it shares with the server) usually runs without one. R still grows the heap as needed.
     */
    static final String MIN_CONS_CELLS = "--min-nsize=2M";
    static final String MIN_VECTOR_HEAP = "--min-vsize=128M";

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
        String rscript = rscript(context);
        Path home = home(context);
        return new SatelliteCommand(List.of(rscript, "--vanilla", MIN_CONS_CELLS, MIN_VECTOR_HEAP,
                home.resolve(BOOTSTRAP).toString(), mode), Map.of());
    }

    static String rscript(RuntimeContext context) {
        String rscript = context.setting(SETTING_RSCRIPT).map(String::strip).orElse(DEFAULT_RSCRIPT);
        if (rscript.isEmpty()) {
            throw new IllegalStateException("language.r." + SETTING_RSCRIPT + " is empty");
        }
        Path path = Path.of(rscript);
        if (path.isAbsolute() && !Files.isExecutable(path)) {
            throw new IllegalStateException("language.r." + SETTING_RSCRIPT + " = " + rscript
                    + " is not an executable file; install R (Debian: apt-get install r-base-core)"
                    + " or point the setting at another Rscript");
        }
        return rscript;
    }

    private Path home(RuntimeContext context) {
        return unpacked.computeIfAbsent(context.runtimeHome(), key -> {
            try {
                Path home = context.unpack(RRuntime.class.getClassLoader(), RESOURCE_ROOT);
                for (String file : List.of(BOOTSTRAP, NATIVE_HELPER)) {
                    if (!Files.isRegularFile(home.resolve(file))) {
                        throw new IllegalStateException("unpacking the R runtime left no " + file + " in " + home
                                + " (the native helper is compiled by the Maven build: bin/mvn package)");
                    }
                }
                return home;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot unpack the R runtime into " + key, e);
            }
        });
    }
}
