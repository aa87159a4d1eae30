package io.extensa.launchpad;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where the launchpad listens and keeps its files, plus the operator's settings: keys
 * {@code launchpad.*} for the daemon and {@code language.<name>.*} for each language (see
 * docs/launchpad.md for the full list).
 */
public record LaunchpadConfig(Path socketPath, Path jobsDir, Path runtimeDir, Map<String, String> settings) {

    /** Start fork servers for languages that have one (default true). */
    public static final String WARM = "launchpad.warm";
    /** Concurrent jobs before LAUNCH is answered with "busy" (default 256). */
    public static final String MAX_JOBS = "launchpad.max_jobs";
    /** Bytes of a satellite's own stdout/stderr kept for EXITED (default 8192). */
    public static final String OUTPUT_TAIL_BYTES = "launchpad.output_tail_bytes";
    /** Comma-separated OS users allowed to connect (default: the launchpad's user and root). */
    public static final String ALLOWED_USERS = "launchpad.allowed_users";
    /** Path of util-linux setsid (default /usr/bin/setsid). */
    public static final String SETSID = "launchpad.setsid";
    /** How long a client may take to send its first message (default 10000). */
    public static final String REQUEST_TIMEOUT_MS = "launchpad.request_timeout_ms";
    /** How long killing a process tree may take before it is reported as failed (default 1000). */
    public static final String KILL_TIMEOUT_MS = "launchpad.kill_timeout_ms";
    /** How long a fork server may take to answer FORK before the job is started cold (default 5000). */
    public static final String FORK_TIMEOUT_MS = "launchpad.fork_timeout_ms";
    /** How long a fork server may take to say HELLO after it starts (default 60000). */
    public static final String WARM_START_TIMEOUT_MS = "launchpad.warm_start_timeout_ms";
    /** First delay before restarting a dead fork server; doubles per failure (default 1000). */
    public static final String WARM_RESTART_MIN_MS = "launchpad.warm_restart_min_ms";
    /** Longest delay between fork-server restarts (default 60000). */
    public static final String WARM_RESTART_MAX_MS = "launchpad.warm_restart_max_ms";

    /** Children each fork server forks ahead of demand (default 2; 0 forks at FORK time). */
    public static final String WARM_CHILDREN = "launchpad.warm_children";
    /** Sandbox every satellite (default true; false is for debugging only and says so in STATUS). */
    public static final String SANDBOX = "launchpad.sandbox";
    /** Size of a job's only writable file system (/tmp, /dev/shm, its directory), MiB (default 512). */
    public static final String SANDBOX_TMP_MB = "launchpad.sandbox.tmp_mb";
    /** RLIMIT_FSIZE: the largest file a job may write, MiB (default: launchpad.sandbox.tmp_mb). */
    public static final String SANDBOX_MAX_FILE_MB = "launchpad.sandbox.max_file_mb";
    /** RLIMIT_NPROC: processes and threads of a job's account (default 256). */
    public static final String SANDBOX_MAX_PROCESSES = "launchpad.sandbox.max_processes";
    /** RLIMIT_NOFILE: open descriptors per process (default 4096). */
    public static final String SANDBOX_MAX_OPEN_FILES = "launchpad.sandbox.max_open_files";
    /** The loopback interface of a job's own network namespace: up (default) or down. */
    public static final String SANDBOX_LOOPBACK = "launchpad.sandbox.loopback";
    /** More host paths satellites see read-only (comma-separated), e.g. a virtualenv under /opt. */
    public static final String SANDBOX_READ_ONLY_PATHS = "launchpad.sandbox.read_only_paths";
    /** More paths hidden inside the read-only ones (comma-separated), e.g. /etc/my-secrets. */
    public static final String SANDBOX_HIDDEN_PATHS = "launchpad.sandbox.hidden_paths";
    /**
     * The directory under which every LAUNCH library_path must lie (the external-library cache);
     * unset: any absolute path the engine names is bound for its job.
     */
    public static final String SANDBOX_LIBRARY_ROOT = "launchpad.sandbox.library_root";
    /**
     * Size of a tmpfs the jobs directory is mounted on when root, MiB (default 0: on disk). Opt-in: a
     * launchpad killed with SIGKILL leaves the mount behind (the next one reuses it).
     */
    public static final String JOBS_TMPFS_MB = "launchpad.jobs_tmpfs_mb";
    /** Worker accounts when the launchpad runs as root (default 20). */
    public static final String WORKERS = "launchpad.workers";
    /** Name prefix of worker accounts: prefix + 01, 02, ... (default extensa-w). */
    public static final String WORKER_PREFIX = "launchpad.worker_prefix";
    /** The worker accounts' group (default extensa-workers). */
    public static final String WORKER_GROUP = "launchpad.worker_group";
    /** How long a launch waits for a free worker account before it fails busy (default 30000). */
    public static final String WORKER_WAIT_MS = "launchpad.worker_wait_ms";

    /** auto (default), v2, v1 or off: which cgroup version enforces resource pools. */
    public static final String CGROUP = "launchpad.cgroup";
    /** The cgroup (path as in /proc/self/cgroup) to build Extensa's tree in; default: the top of the hierarchy (v2), the launchpad's own (v1). */
    public static final String CGROUP_PARENT = "launchpad.cgroup_parent";
    /** Name of the launchpad's tree directory inside the parent. */
    public static final String CGROUP_NAME = "launchpad.cgroup_name";
    /** Most processes and threads one job may have (cgroup pids controller); 0 = no bound. */
    public static final String JOB_MAX_PIDS = "launchpad.job_max_pids";
    /** Longest wait for a slot in a pool at MAX_PROCESSES. */
    public static final String QUEUE_TIMEOUT_MS = "launchpad.queue_timeout_ms";
    /** Most requests waiting per pool. */
    public static final String QUEUE_MAX = "launchpad.queue_max";
    private static final Set<String> LAUNCHPAD_KEYS = Set.of(CGROUP, CGROUP_PARENT, CGROUP_NAME, JOB_MAX_PIDS,
            QUEUE_TIMEOUT_MS, QUEUE_MAX, WARM, MAX_JOBS, OUTPUT_TAIL_BYTES, ALLOWED_USERS, SETSID,
            REQUEST_TIMEOUT_MS, KILL_TIMEOUT_MS, FORK_TIMEOUT_MS, WARM_START_TIMEOUT_MS, WARM_RESTART_MIN_MS,
            WARM_RESTART_MAX_MS, WARM_CHILDREN, SANDBOX, SANDBOX_TMP_MB, SANDBOX_MAX_FILE_MB, SANDBOX_MAX_PROCESSES,
            SANDBOX_MAX_OPEN_FILES, SANDBOX_LOOPBACK, SANDBOX_READ_ONLY_PATHS, SANDBOX_HIDDEN_PATHS, SANDBOX_LIBRARY_ROOT, JOBS_TMPFS_MB, WORKERS,
            WORKER_PREFIX, WORKER_GROUP, WORKER_WAIT_MS);

    public LaunchpadConfig {
        socketPath = socketPath.toAbsolutePath().normalize();
        jobsDir = jobsDir.toAbsolutePath().normalize();
        runtimeDir = runtimeDir.toAbsolutePath().normalize();
        settings = Map.copyOf(settings);
    }

    public static LaunchpadConfig of(Path socketPath, Path jobsDir, Path runtimeDir) {
        return new LaunchpadConfig(socketPath, jobsDir, runtimeDir, Map.of());
    }

    public LaunchpadConfig with(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(settings);
        copy.put(key, value);
        return new LaunchpadConfig(socketPath, jobsDir, runtimeDir, copy);
    }

    public LaunchpadConfig withSettings(Map<String, String> more) {
        Map<String, String> copy = new LinkedHashMap<>(settings);
        copy.putAll(more);
        return new LaunchpadConfig(socketPath, jobsDir, runtimeDir, copy);
    }

    /** Reads a {@code key = value} file (java.util.Properties syntax; '#' starts a comment). */
    public static Map<String, String> readSettings(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        Map<String, String> settings = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            settings.put(key.trim(), properties.getProperty(key).trim());
        }
        return settings;
    }

    public boolean warm() {
        return bool(WARM, true);
    }

    public int maxJobs() {
        return (int) number(MAX_JOBS, 256, 1, 100_000);
    }

    public int outputTailBytes() {
        return (int) number(OUTPUT_TAIL_BYTES, 8192, 256, 256 * 1024);
    }

    public Path setsid() {
        return Path.of(settings.getOrDefault(SETSID, "/usr/bin/setsid"));
    }

    public Duration requestTimeout() {
        return millis(REQUEST_TIMEOUT_MS, 10_000);
    }

    public Duration killTimeout() {
        return millis(KILL_TIMEOUT_MS, 1_000);
    }

    public Duration forkTimeout() {
        return millis(FORK_TIMEOUT_MS, 5_000);
    }

    public Duration warmStartTimeout() {
        return millis(WARM_START_TIMEOUT_MS, 60_000);
    }

    public Duration warmRestartMin() {
        return millis(WARM_RESTART_MIN_MS, 1_000);
    }

    public Duration warmRestartMax() {
        return millis(WARM_RESTART_MAX_MS, 60_000);
    }

    public int warmChildren() {
        return (int) number(WARM_CHILDREN, 4, 0, 16);
    }

    public boolean sandbox() {
        return bool(SANDBOX, true);
    }

    public long sandboxTmpBytes() {
        return number(SANDBOX_TMP_MB, 512, 1, 1024L * 1024) << 20;
    }

    public long sandboxMaxFileBytes() {
        return settings.containsKey(SANDBOX_MAX_FILE_MB)
                ? number(SANDBOX_MAX_FILE_MB, 512, 1, 1024L * 1024 * 1024) << 20 : sandboxTmpBytes();
    }

    public int sandboxMaxProcesses() {
        return (int) number(SANDBOX_MAX_PROCESSES, 256, 8, 1_000_000);
    }

    public int sandboxMaxOpenFiles() {
        return (int) number(SANDBOX_MAX_OPEN_FILES, 4096, 64, 1_048_576);
    }

    public boolean sandboxLoopbackUp() {
        String value = settings.getOrDefault(SANDBOX_LOOPBACK, "up").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "up", "" -> true;
            case "down" -> false;
            default -> throw new IllegalArgumentException("setting " + SANDBOX_LOOPBACK + " = '" + value
                    + "' must be up or down");
        };
    }

    public List<Path> sandboxReadOnlyPaths() {
        return paths(SANDBOX_READ_ONLY_PATHS);
    }

    public List<Path> sandboxHiddenPaths() {
        return paths(SANDBOX_HIDDEN_PATHS);
    }

    /** {@link #SANDBOX_LIBRARY_ROOT}, when set. */
    public java.util.Optional<Path> sandboxLibraryRoot() {
        List<Path> root = paths(SANDBOX_LIBRARY_ROOT);
        if (root.size() > 1) {
            throw new IllegalArgumentException("setting " + SANDBOX_LIBRARY_ROOT + " names one directory, not "
                    + root.size());
        }
        return root.stream().findFirst();
    }

    public long jobsTmpfsBytes() {
        return number(JOBS_TMPFS_MB, 0, 0, 1024L * 1024) << 20;
    }

    public int workers() {
        return (int) number(WORKERS, 20, 1, 999);
    }

    public String workerPrefix() {
        return name(WORKER_PREFIX, "extensa-w");
    }

    public String workerGroup() {
        return name(WORKER_GROUP, "extensa-workers");
    }

    public Duration workerWait() {
        return millis(WORKER_WAIT_MS, 30_000);
    }

    private List<Path> paths(String key) {
        String value = settings.getOrDefault(key, "");
        List<Path> paths = new ArrayList<>();
        for (String part : value.split(",")) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            Path path = Path.of(trimmed);
            if (!path.isAbsolute() || !path.normalize().equals(path) || trimmed.contains("\n")) {
                throw new IllegalArgumentException("setting " + key + ": '" + trimmed
                        + "' is not an absolute, normalized path");
            }
            paths.add(path);
        }
        return List.copyOf(paths);
    }

    private String name(String key, String defaultValue) {
        String value = settings.getOrDefault(key, defaultValue).trim();
        if (!value.matches("[a-z_][a-z0-9_-]{0,24}")) {
            throw new IllegalArgumentException("setting " + key + " = '" + value
                    + "' is not a valid account name (lower-case letters, digits, '-', '_')");
        }
        return value;
    }

    /** OS users whose connections are accepted; empty means the default (own user and root). */
    public Set<String> allowedUsers() {
        Set<String> users = new LinkedHashSet<>();
        String configured = settings.get(ALLOWED_USERS);
        if (configured == null || configured.isBlank()) {
            users.add(System.getProperty("user.name"));
            users.add("root");
        } else {
            Arrays.stream(configured.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(users::add);
        }
        return users;
    }

    /** The settings {@code language.<name>.*} with the prefix removed. */
    public Map<String, String> languageSettings(String name) {
        String prefix = "language." + name.toLowerCase(Locale.ROOT) + ".";
        Map<String, String> result = new TreeMap<>();
        settings.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                result.put(key.substring(prefix.length()), value);
            }
        });
        return result;
    }

    /** {@code launchpad.*} keys this version does not know: most likely typos, worth a warning. */
    public List<String> unknownLaunchpadKeys() {
        return settings.keySet().stream().filter(k -> k.startsWith("launchpad.") && !LAUNCHPAD_KEYS.contains(k))
                .sorted().toList();
    }

    public io.extensa.launchpad.pools.cgroup.CgroupDetector.Mode cgroupMode() {
        return io.extensa.launchpad.pools.cgroup.CgroupDetector.Mode.parse(settings.getOrDefault(CGROUP, "auto"));
    }

    public java.util.Optional<String> cgroupParent() {
        String value = settings.getOrDefault(CGROUP_PARENT, "").trim();
        return value.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(value);
    }

    /** Default "extensa-" plus a hash of the jobs directory, so two launchpads on one machine never share a tree. */
    public String cgroupName() {
        String value = settings.getOrDefault(CGROUP_NAME, "").trim();
        if (!value.isEmpty()) {
            if (!value.matches("[A-Za-z0-9_.-]{1,64}") || value.startsWith(".")) {
                throw new IllegalArgumentException("setting " + CGROUP_NAME + " = '" + value
                        + "' must be 1-64 characters of [A-Za-z0-9_.-], not starting with '.'");
            }
            return value;
        }
        return "extensa-" + Integer.toHexString(jobsDir.toAbsolutePath().normalize().toString().hashCode());
    }

    public int jobMaxPids() {
        return (int) number(JOB_MAX_PIDS, 4096, 0, 1 << 22);
    }

    public Duration queueTimeout() {
        return millis(QUEUE_TIMEOUT_MS, 30_000);
    }

    public int queueMax() {
        return (int) number(QUEUE_MAX, 1000, 0, 1_000_000);
    }

    /** Checks every known setting parses, so a typo fails the start instead of the first launch. */
    public void validate() {
        warm();
        maxJobs();
        outputTailBytes();
        requestTimeout();
        killTimeout();
        forkTimeout();
        warmStartTimeout();
        warmRestartMin();
        warmRestartMax();
        warmChildren();
        sandbox();
        sandboxTmpBytes();
        sandboxMaxFileBytes();
        sandboxMaxProcesses();
        sandboxMaxOpenFiles();
        sandboxLoopbackUp();
        sandboxReadOnlyPaths();
        sandboxHiddenPaths();
        sandboxLibraryRoot();
        jobsTmpfsBytes();
        workers();
        workerPrefix();
        workerGroup();
        workerWait();
        cgroupMode();
        cgroupName();
        jobMaxPids();
        queueTimeout();
        queueMax();
        settings.forEach((key, value) -> {
            if (key.startsWith("language.") && (key.endsWith(".enabled") || key.endsWith(".warm"))) {
                bool(key, true);
            }
        });
    }

    public boolean bool(String key, boolean defaultValue) {
        String value = settings.get(key);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes", "1" -> true;
            case "false", "off", "no", "0" -> false;
            default -> throw new IllegalArgumentException("setting " + key + " = '" + value
                    + "' is not a boolean (true/false, on/off, yes/no, 1/0)");
        };
    }

    private long number(String key, long defaultValue, long min, long max) {
        String value = settings.get(key);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n < min || n > max) {
                throw new IllegalArgumentException("setting " + key + " = " + n + " is outside " + min + ".." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting " + key + " = '" + value + "' is not a whole number", e);
        }
    }

    private Duration millis(String key, long defaultMillis) {
        return Duration.ofMillis(number(key, defaultMillis, 1, 24L * 3600 * 1000));
    }
}
