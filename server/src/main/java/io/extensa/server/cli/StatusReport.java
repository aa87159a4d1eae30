package io.extensa.server.cli;

import io.extensa.server.datadir.DataDirectory;
import io.extensa.server.datadir.PidFile;
import io.extensa.server.datadir.ServerLock;
import io.extensa.server.datadir.ServerState;
import io.extensa.server.launchpad.LaunchpadProcess;
import io.extensa.protocol.launch.LaunchpadClient;
import io.extensa.server.process.Processes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@code extensa status} shows: one line per component, built from the lock, the pid files
 * and the state file the server publishes. A component added later (pools, jobs, warm processes)
 * adds a {@link Section} from its own keys in the state file.
 */
record StatusReport(DataDirectory dir, boolean running, List<Section> sections) {

    /** One component: a short name and what to say about it. */
    record Section(String name, String text) {
    }

    static StatusReport collect(DataDirectory dir) {
        boolean running = ServerLock.isHeld(dir);
        Optional<ServerState> state = running ? ServerState.read(dir) : Optional.empty();
        var sections = new ArrayList<Section>();
        if (running) {
            OptionalLong pid = PidFile.read(dir.pidFile());
            if (pid.isEmpty()) {
                pid = ServerLock.holderPid(dir);
            }
            String serverPid = pid.isPresent() ? Long.toString(pid.getAsLong()) : "?";
            if (state.isEmpty()) {
                sections.add(new Section("server", "pid " + serverPid + ", starting"));
            } else {
                ServerState s = state.get();
                sections.add(new Section("server", "pid " + serverPid + ", version " + s.get(ServerState.VERSION).orElse("?")
                        + ", since " + s.get(ServerState.STARTED).orElse("?")));
                sections.add(new Section("gateway", s.get(ServerState.GATEWAY_HOST).orElse("?") + ":"
                        + s.get(ServerState.GATEWAY_PORT).orElse("?")
                        + (s.get(ServerState.GATEWAY_TLS).map(Boolean::parseBoolean).orElse(false) ? ", TLS available" : "")));
                sections.add(new Section("postgresql", postgres(dir, s)));
                sections.add(new Section("launchpad", process(s.getLong(ServerState.LAUNCHPAD_PID))
                        + ", socket " + s.get(ServerState.LAUNCHPAD_SOCKET).orElse("?")));
                s.get(ServerState.LAUNCHPAD_SOCKET).flatMap(StatusReport::isolation)
                        .ifPresent(mode -> sections.add(new Section("isolation", mode)));
                s.get(ServerState.METRICS_PORT).ifPresent(port -> sections.add(new Section("metrics",
                        "http://127.0.0.1:" + port + "/metrics")));
                s.get(ServerState.LAUNCHPAD_SOCKET).ifPresent(socket -> live(java.nio.file.Path.of(socket), sections));
            }
        } else {
            leftovers(dir, sections);
        }
        return new StatusReport(dir, running, List.copyOf(sections));
    }

    /** What runs now, asked of the launchpad: jobs, pools, warm processes. */
    private static void live(java.nio.file.Path socket, List<Section> sections) {
        io.extensa.protocol.launch.LaunchpadStatus status;
        try {
            status = new io.extensa.protocol.launch.LaunchpadClient(socket, java.time.Duration.ofSeconds(3)).status();
        } catch (java.io.IOException | RuntimeException e) {
            sections.add(new Section("jobs", "unknown (the launchpad did not answer: " + e.getMessage() + ")"));
            return;
        }
        long now = System.currentTimeMillis();
        var jobs = status.jobs();
        long standbys = jobs.stream().filter(io.extensa.protocol.launch.LaunchpadStatus.JobInfo::standby).count();
        long running = jobs.stream().filter(io.extensa.protocol.launch.LaunchpadStatus.JobInfo::holdsSlot).count();
        long ending = jobs.size() - standbys - running;
        StringBuilder text = new StringBuilder(running + " running"
                + (standbys > 0 ? ", " + standbys + " standby (started for a caller's next call, idle)" : "")
                + (ending > 0 ? ", " + ending + " ending" : ""));
        jobs.stream().sorted(java.util.Comparator.comparingLong(
                io.extensa.protocol.launch.LaunchpadStatus.JobInfo::startedMillis)).limit(5).forEach(j ->
                text.append("\n    ").append(j.jobId()).append("  ").append(j.language()).append("  ").append(j.user())
                        .append("  pid ").append(j.pid()).append("  ").append((now - j.startedMillis()) / 1000)
                        .append(" s").append(j.warm() ? "  warm" : "").append(j.standby() ? "  standby" : "")
                        .append(j.ending() ? "  ending" : ""));
        if (jobs.size() > 5) {
            text.append("\n    ... and ").append(jobs.size() - 5).append(" more");
        }
        sections.add(new Section("jobs", text.toString()));
        var perPool = new java.util.TreeMap<String, Integer>();
        perPool.put("default", 0);
        jobs.stream().filter(io.extensa.protocol.launch.LaunchpadStatus.JobInfo::holdsSlot)
                .forEach(j -> perPool.merge(j.pool(), 1, Integer::sum));
        sections.add(new Section("pools", String.join(", ", perPool.entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue() + " active").toList())));
        sections.add(new Section("warm", status.languages().isEmpty() ? "no languages"
                : String.join(", ", status.languages().stream().map(l -> l.name() + (l.warm()
                ? " fork server pid " + l.forkServerPid() : " cold starts")).toList())));
    }

    private static String postgres(DataDirectory dir, ServerState state) {
        String mode = state.get(ServerState.POSTGRES_MODE).orElse("?");
        String address = state.get(ServerState.POSTGRES_ADDRESS).orElse("?");
        if (!ServerState.MODE_MANAGED.equals(mode)) {
            return mode + ", " + address;
        }
        OptionalLong pid = PidFile.read(dir.pgdata().resolve("postmaster.pid"));
        return "managed, " + process(pid) + ", socket " + address
                + state.get(ServerState.POSTGRES_ACCOUNT).map(a -> ", runs as " + a).orElse("");
    }

    /** A stopped server may have left PostgreSQL or the launchpad behind (a crash, a kill -9). */
    private static void leftovers(DataDirectory dir, List<Section> sections) {
        OptionalLong postmaster = PidFile.read(dir.pgdata().resolve("postmaster.pid"));
        if (postmaster.isPresent() && Processes.isAlive(postmaster.getAsLong())) {
            sections.add(new Section("postgresql", "pid " + postmaster.getAsLong() + " is still running (left over;"
                    + " `extensa stop` stops it)"));
        }
        OptionalLong launchpad = PidFile.read(dir.launchpadPidFile());
        if (launchpad.isPresent() && LaunchpadProcess.isOurLaunchpad(dir, launchpad.getAsLong())) {
            sections.add(new Section("launchpad", "pid " + launchpad.getAsLong() + " is still running (left over;"
                    + " `extensa stop` stops it)"));
        }
        OptionalLong stale = PidFile.read(dir.pidFile());
        if (stale.isPresent()) {
            sections.add(new Section("pid file", dir.pidFile() + " names pid " + stale.getAsLong()
                    + ", which is not running (stale; the next start removes it)"));
        }
    }

    /** How the launchpad isolates satellites (its STATUS mode, with what is NOT ENFORCED here, if anything). */
    private static Optional<String> isolation(String launchpadSocket) {
        try {
            return Optional.of(new LaunchpadClient(Path.of(launchpadSocket), Duration.ofSeconds(2)).status().mode());
        } catch (IOException | RuntimeException e) {
            return Optional.of("? (the launchpad did not answer: " + e.getMessage() + ")");
        }
    }

    private static String process(OptionalLong pid) {
        if (pid.isEmpty()) {
            return "pid ?";
        }
        return "pid " + pid.getAsLong() + (Processes.isAlive(pid.getAsLong()) ? "" : " (NOT RUNNING)");
    }

    String render() {
        var text = new StringBuilder();
        text.append("Extensa is ").append(running ? "running" : "not running").append(" on ").append(dir).append('\n');
        int width = sections.stream().mapToInt(s -> s.name().length()).max().orElse(0);
        for (Section section : sections) {
            text.append("  ").append(section.name()).append(" ".repeat(width - section.name().length() + 2))
                    .append(section.text()).append('\n');
        }
        return text.toString();
    }
}
