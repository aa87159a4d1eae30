package io.extensa.launchpad.isolation;

import io.extensa.launchpad.job.LaunchFailure;
import io.extensa.protocol.launch.LaunchErrorKind;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every satellite inside Linux namespaces, built by the C helper (see docs/security.md): its own
 * network namespace (loopback only), PID namespace, mount namespace whose root is a read-only
 * view of the system directories with secrets masked, a private size-limited {@code /tmp}, and of
 * the jobs directory only the job's own directory (bound read-write from the host, so sockets
 * the engine puts there are reachable); IPC and UTS namespaces; then the worker account's
 * uid/gid, rlimits, no capabilities, {@code no_new_privs}, and no inherited descriptors.
 *
 * <p>The spec has a job-independent part (the same for every job: fork servers prepare spare
 * children with it before any job exists) and a job part (directory, socket, account, cgroups).
 */
public final class NamespaceSandbox implements Sandbox {

    /** System directories every satellite sees read-only; missing ones are skipped. */
    static final List<String> SYSTEM_PATHS = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
            "/etc");
    /** Hidden inside the system directories even where file permissions would already refuse. */
    static final List<String> MASKED_PATHS = List.of("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-",
            "/etc/ssl/private", "/etc/sudoers", "/etc/sudoers.d", "/etc/ssh", "/etc/postgresql", "/etc/extensa");

    /** Where resource pools plug in: the cgroups (their cgroup.procs files) a job joins before it runs anything. */
    public interface CgroupPlacement {
        List<Path> cgroupProcsFiles(SandboxSpec spec);
    }

    private final SandboxHelper helper;
    private final Set<String> namespaces;
    private final String baseSpec;
    private final boolean switchUser;
    private final CgroupPlacement cgroups;
    private final java.util.Optional<Path> libraryRoot;

    /**
     * @param namespaces among user, mount, pid, net, ipc, uts; those this machine allows
     * @param switchUser whether jobs run as their worker account (the launchpad is root)
     * @param readOnly   more directories satellites see read-only (runtime homes, configured paths)
     * @param hidden     more paths masked inside the read-only ones
     */
    public NamespaceSandbox(SandboxHelper helper, Set<String> namespaces, boolean switchUser, Path jobsDir,
                            Collection<Path> readOnly, Collection<Path> hidden, Limits limits, CgroupPlacement cgroups) {
        this(helper, namespaces, switchUser, jobsDir, readOnly, hidden, limits, cgroups, java.util.Optional.empty());
    }

    /** @param libraryRoot where every job's library directories must lie, when set */
    public NamespaceSandbox(SandboxHelper helper, Set<String> namespaces, boolean switchUser, Path jobsDir,
                            Collection<Path> readOnly, Collection<Path> hidden, Limits limits, CgroupPlacement cgroups,
                            java.util.Optional<Path> libraryRoot) {
        this.libraryRoot = libraryRoot.map(p -> p.toAbsolutePath().normalize());
        this.helper = helper;
        this.namespaces = Set.copyOf(namespaces);
        this.switchUser = switchUser;
        this.cgroups = cgroups;
        this.baseSpec = baseSpec(helper, namespaces, jobsDir, readOnly, hidden, limits);
    }

    /** Limits every job gets from the sandbox itself (pools add cgroup limits on top). */
    public record Limits(long tmpBytes, long maxFileBytes, int maxProcesses, int maxOpenFiles, boolean loopbackUp) {
    }

    private static String baseSpec(SandboxHelper helper, Set<String> namespaces, Path jobsDir,
                                   Collection<Path> readOnly, Collection<Path> hidden, Limits limits) {
        List<String> order = List.of("user", "mount", "pid", "net", "ipc", "uts");
        StringBuilder spec = new StringBuilder();
        spec.append("namespaces=").append(String.join(",", order.stream().filter(namespaces::contains).toList()))
                .append('\n');
        if (namespaces.contains("uts")) {
            spec.append("hostname=extensa-job\n");
        }
        if (namespaces.contains("net")) {
            spec.append("loopback=").append(limits.loopbackUp() ? "up" : "down").append('\n');
        }
        if (namespaces.contains("mount")) {
            spec.append("root=").append(helper.rootDirectory()).append('\n');
            SYSTEM_PATHS.forEach(path -> spec.append("ro=").append(path).append('\n'));
            MASKED_PATHS.forEach(path -> spec.append("mask=").append(path).append('\n'));
            readOnly.forEach(path -> spec.append("ro=").append(path).append('\n'));
            hidden.forEach(path -> spec.append("mask=").append(path).append('\n'));
            spec.append("tmp_bytes=").append(limits.tmpBytes()).append('\n');
            spec.append("jobs_dir=").append(jobsDir).append('\n');
        }
        spec.append("rlimit_nproc=").append(limits.maxProcesses()).append('\n');
        spec.append("rlimit_nofile=").append(limits.maxOpenFiles()).append('\n');
        spec.append("rlimit_fsize=").append(limits.maxFileBytes()).append('\n');
        spec.append("rlimit_core=0\n");
        spec.append("seccomp=on\n");
        return spec.toString();
    }

    /** The job-independent part of every job's spec. */
    public String baseSpec() {
        return baseSpec;
    }

    @Override
    public String jobSpec(SandboxSpec spec) {
        StringBuilder text = new StringBuilder();
        if (namespaces.contains("mount")) {
            text.append("workdir=").append(spec.workDir()).append('\n');
            text.append("socket=").append(spec.engineSocket()).append('\n');
            spec.libraries().forEach(path -> text.append("job_ro=").append(path).append('\n'));
        }
        if (switchUser && spec.worker().uid() > 0) {
            text.append("uid=").append(spec.worker().uid()).append('\n');
            text.append("gid=").append(spec.worker().gid()).append('\n');
        }
        for (Path procs : cgroups.cgroupProcsFiles(spec)) {
            text.append("cgroup_procs=").append(procs).append('\n');
        }
        return text.toString();
    }

    @Override
    public List<Path> libraryBinds(List<String> libraryPaths) throws LaunchFailure {
        List<Path> binds = new ArrayList<>(libraryPaths.size());
        for (String text : libraryPaths) {
            Path path = Path.of(text);
            if (!path.isAbsolute() || !path.normalize().equals(path)) {
                throw new LaunchFailure(LaunchErrorKind.BAD_REQUEST, "library_path '" + text
                        + "' is not an absolute, normalized path");
            }
            if (libraryRoot.isPresent() && (!path.startsWith(libraryRoot.get()) || path.equals(libraryRoot.get()))) {
                throw new LaunchFailure(LaunchErrorKind.BAD_REQUEST, "library_path '" + text + "' is not inside "
                        + libraryRoot.get() + " (launchpad.sandbox.library_root)");
            }
            binds.add(path);
        }
        return binds;
    }

    @Override
    public List<String> wrap(List<String> argv, SandboxSpec spec) {
        // the helper calls setsid() itself, so the satellite (or its PID namespace's waiter) leads a session
        List<String> command = new ArrayList<>(argv.size() + 3);
        command.add(helper.program().toString());
        command.add(baseSpec + jobSpec(spec));
        command.add("--");
        command.addAll(argv);
        return command;
    }

    @Override
    public Map<String, String> forkServerEnvironment() {
        return Map.of("EXTENSA_SANDBOX_LIB", helper.library().toString(), "EXTENSA_SANDBOX_SPEC", baseSpec);
    }

    @Override
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (String ns : List.of("user", "mount", "pid", "net", "ipc", "uts")) {
            if (namespaces.contains(ns)) {
                parts.add(ns);
            }
        }
        return "sandbox (namespaces: " + (parts.isEmpty() ? "none" : String.join(" ", parts)) + ")";
    }
}
