package io.extensa.launchpad.isolation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * No isolation beyond a session of its own, made by util-linux {@code setsid}: it calls setsid()
 * and execs the command in the same process (the JVM's children never lead a process group), so
 * the pid the launchpad sees is the satellite's.
 */
public final class NoSandbox implements Sandbox {

    private final Path setsid;

    public NoSandbox(Path setsid) {
        this.setsid = setsid;
    }

    @Override
    public List<String> wrap(List<String> argv, SandboxSpec spec) {
        List<String> command = new ArrayList<>(argv.size() + 1);
        command.add(setsid.toString());
        command.addAll(argv);
        return command;
    }

    @Override
    public String describe() {
        return "no sandbox";
    }
}
