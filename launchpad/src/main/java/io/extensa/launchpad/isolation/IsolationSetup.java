package io.extensa.launchpad.isolation;

import io.extensa.launchpad.LaunchpadConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides at start how satellites are isolated here, from the settings, whether the launchpad
 * is root, and which namespaces this machine lets it create, and says once in the log what is
 * not enforced when anything is missing (never silently).
 */
public final class IsolationSetup {

    private static final Logger log = LoggerFactory.getLogger(IsolationSetup.class);
    private static final List<String> NAMESPACES = List.of("mount", "pid", "net", "ipc", "uts");

    /** The sandbox and accounts chosen, and the warnings said about them. */
    public record Choice(Sandbox sandbox, WorkerAccounts workers, List<String> warnings) {
    }

    private IsolationSetup() {
    }

    /**
     * @param runtimeHomes directories satellites need to read (the languages' unpacked support files)
     * @param cgroups      where resource pools put a job's processes; none yet when they do not
     */
    public static Choice choose(LaunchpadConfig config, List<Path> runtimeHomes,
                                NamespaceSandbox.CgroupPlacement cgroups) throws IOException {
        boolean root = LaunchpadUserAccounts.currentUid() == 0;
        List<String> warnings = new ArrayList<>();
        WorkerAccounts workers;
        if (root && config.sandbox()) {
            workers = WorkerPool.create(config.workerPrefix(), config.workerGroup(), config.workers(),
                    config.workerWait());
        } else if (root) {
            // without the sandbox helper nothing switches the uid: say who really runs the satellites
            workers = new LaunchpadUserAccounts();
        } else {
            workers = new LaunchpadUserAccounts();
            warnings.add("the launchpad is not root: no worker accounts; every satellite runs as "
                    + System.getProperty("user.name") + " (the launchpad's own account). Not enforced: a separate uid"
                    + " per job (jobs share one RLIMIT_NPROC budget and are kept apart only by the namespace"
                    + " sandbox)");
        }
        Sandbox sandbox;
        if (!config.sandbox()) {
            sandbox = new NoSandbox(config.setsid());
            warnings.add(LaunchpadConfig.SANDBOX + " = false: satellites are NOT sandboxed: they can use the network,"
                    + " read whatever the " + (root ? "root" : "launchpad's") + " account can read, and see other"
                    + " jobs' directories" + (root ? "; they run as root" : ""));
        } else {
            SandboxHelper helper;
            try {
                helper = SandboxHelper.unpack(config.runtimeDir());
            } catch (IOException e) {
                // a launchpad that cannot sandbox must not quietly run scripts as root
                throw new IOException("cannot install the satellite sandbox: " + e.getMessage()
                        + " (set " + LaunchpadConfig.SANDBOX + " = false to run without one, NOT for production)", e);
            }
            Set<String> available = helper.probe();
            Set<String> chosen = new LinkedHashSet<>();
            if (!root) {
                if (available.contains("user")) {
                    chosen.add("user");
                } else {
                    warnings.add("this machine does not let " + System.getProperty("user.name") + " create user"
                            + " namespaces (kernel.unprivileged_userns_clone or a container policy), so no other"
                            + " namespace either. Not enforced: network isolation, the read-only file system view,"
                            + " hiding other jobs' directories, the PID namespace; only rlimits, no capabilities and"
                            + " no_new_privs apply");
                }
            }
            if (root || chosen.contains("user")) {
                List<String> missing = new ArrayList<>();
                for (String ns : NAMESPACES) {
                    if (available.contains(ns)) {
                        chosen.add(ns);
                    } else {
                        missing.add(ns);
                    }
                }
                if (!missing.isEmpty()) {
                    warnings.add("this machine does not allow the namespaces " + missing + ". Not enforced: "
                            + notEnforced(missing));
                }
            }
            List<Path> readOnly = new ArrayList<>(runtimeHomes);
            readOnly.addAll(config.sandboxReadOnlyPaths());
            sandbox = new NamespaceSandbox(helper, chosen, root, config.jobsDir(), readOnly,
                    config.sandboxHiddenPaths(), new NamespaceSandbox.Limits(config.sandboxTmpBytes(),
                    config.sandboxMaxFileBytes(), config.sandboxMaxProcesses(), config.sandboxMaxOpenFiles(),
                    config.sandboxLoopbackUp()), cgroups, config.sandboxLibraryRoot());
        }
        warnings.forEach(warning -> log.warn("isolation: {}", warning));
        return new Choice(sandbox, workers, List.copyOf(warnings));
    }

    private static String notEnforced(List<String> missing) {
        List<String> what = new ArrayList<>();
        for (String ns : missing) {
            what.add(switch (ns) {
                case "mount" -> "the read-only file system view, the private /tmp and hiding other jobs' directories,"
                        + " the PostgreSQL and Extensa data directories";
                case "pid" -> "the PID namespace (satellites see every process; a setsid()+double-fork escapes the"
                        + " job's process-tree kill)";
                case "net" -> "network isolation (satellites can open connections)";
                case "ipc" -> "a private System V IPC / POSIX message queue namespace";
                case "uts" -> "a private host name";
                default -> ns;
            });
        }
        return String.join("; ", what);
    }
}
