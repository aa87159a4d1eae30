package io.extensa.launchpad.job;

import io.extensa.protocol.launch.LaunchRequest;
import io.extensa.spi.SatelliteCommand;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A satellite's complete environment. Built from nothing (the launchpad's own environment may
 * hold anything), in this order, later entries winning: the base, the runtime's variables, the
 * request's variables, and the job's three {@code EXTENSA_JOB_*} variables.
 */
public final class JobEnvironment {

    public static final String PATH = "/usr/local/bin:/usr/bin:/bin";
    public static final String JOB_SOCKET = "EXTENSA_JOB_SOCKET";
    public static final String JOB_ID = "EXTENSA_JOB_ID";
    public static final String JOB_SECRET = "EXTENSA_JOB_SECRET";

    private JobEnvironment() {
    }

    /** The environment every launchpad-started process gets before anything specific. */
    public static Map<String, String> base(Path home, Path tmp) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PATH", PATH);
        environment.put("LANG", "C.UTF-8");
        environment.put("HOME", home.toString());
        environment.put("TMPDIR", tmp.toString());
        return environment;
    }

    public static Map<String, String> forJob(LaunchRequest request, SatelliteCommand command, Path workDir) {
        Map<String, String> environment = base(workDir, workDir.resolve("tmp"));
        environment.putAll(command.environment());
        environment.putAll(request.environment());
        if (!request.libraryPaths().isEmpty()) {
            environment.put(LaunchRequest.LIBRARY_PATH_VARIABLE, String.join(":", request.libraryPaths()));
        }
        environment.put(JOB_SOCKET, request.socketPath());
        environment.put(JOB_ID, request.jobId());
        environment.put(JOB_SECRET, HexFormat.of().formatHex(request.secret()));
        return environment;
    }
}
