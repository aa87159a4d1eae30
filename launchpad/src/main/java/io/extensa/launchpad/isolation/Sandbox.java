package io.extensa.launchpad.isolation;

import java.util.List;
import java.util.Map;

/**
 * Wraps a satellite's command so it runs isolated. Whatever the isolation, the wrapped command
 * must make the satellite the leader of a new session: the launchpad finds and kills a job's
 * whole process tree by that session id.
 */
public interface Sandbox {

    /** The command to execute for {@code argv} (the runtime's satellite command) for one job. */
    List<String> wrap(List<String> argv, SandboxSpec spec);

    /**
     * The job's part of the sandbox spec a fork server's spare child applies (FORK field 7);
     * empty when children are not sandboxed.
     */
    default String jobSpec(SandboxSpec spec) {
        return "";
    }

    /** What a fork server needs in its environment to sandbox its children; empty for none. */
    default Map<String, String> forkServerEnvironment() {
        return Map.of();
    }

    /**
     * The LAUNCH library paths as directories the job sees read-only; refuses paths the sandbox
     * would not show (outside launchpad.sandbox.library_root).
     */
    default java.util.List<java.nio.file.Path> libraryBinds(java.util.List<String> libraryPaths)
            throws io.extensa.launchpad.job.LaunchFailure {
        return libraryPaths.stream().map(java.nio.file.Path::of).toList();
    }

    /** How satellites are isolated, for STATUS and the log, e.g. "no sandbox". */
    String describe();
}
