package io.extensa.launchpad.isolation;

import java.util.List;

/**
 * Wraps a satellite's command so it runs isolated. Whatever the isolation, the wrapped command
 * must make the satellite the leader of a new session: the launchpad finds and kills a job's
 * whole process tree by that session id.
 */
public interface Sandbox {

    /** The command to execute for {@code argv} (the runtime's satellite command) for one job. */
    List<String> wrap(List<String> argv, SandboxSpec spec);

    /** How satellites are isolated, for STATUS and the log, e.g. "no sandbox". */
    String describe();
}
