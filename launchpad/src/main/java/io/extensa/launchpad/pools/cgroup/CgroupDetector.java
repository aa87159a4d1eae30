package io.extensa.launchpad.pools.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds which cgroup controllers the launchpad can use, and where: cgroup v2 (the unified
 * hierarchy, with memory, cpu and pids available in the launchpad's own cgroup) or cgroup v1
 * (a hierarchy per controller). It only reads {@code /proc/self/mountinfo},
 * {@code /proc/self/cgroup} and {@code cgroup.controllers}; nothing is created here.
 *
 * <p>Every path is resolved under {@code fsRoot} ({@code /} in production), so tests can run the
 * detection on a fake tree in a temporary directory.
 */
public final class CgroupDetector {

    /** The {@code launchpad.cgroup} setting. */
    public enum Mode {
        AUTO, V1, V2, OFF;

        public static Mode parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + value + "' is not one of auto, v1, v2, off");
            }
        }
    }

    /** A cgroup file system as listed in mountinfo. */
    record Mount(String root, String mountPoint, String type, Set<String> options) {
    }

    /**
     * What was found: the tree to create (its directories do not exist yet), or empty with the
     * reason.
     */
    public record Detection(Optional<CgroupTree> tree, String reason) {
    }

    private final Path fsRoot;

    public CgroupDetector(Path fsRoot) {
        this.fsRoot = fsRoot;
    }

    /**
     * @param parent   the cgroup to create Extensa's tree in (a path like {@code /extensa.slice}), or
     *                 empty for the launchpad's own cgroup
     * @param treeName the name of the launchpad's tree directory inside it
     */
    public Detection detect(Mode mode, Optional<String> parent, String treeName) {
        if (mode == Mode.OFF) {
            return new Detection(Optional.empty(), "cgroups are disabled (launchpad.cgroup = off)");
        }
        List<Mount> mounts;
        Map<String, String> ownPaths;
        try {
            mounts = parseMountinfo(Files.readString(fsRoot.resolve("proc/self/mountinfo")));
            ownPaths = parseProcCgroup(Files.readString(fsRoot.resolve("proc/self/cgroup")));
        } catch (IOException e) {
            return new Detection(Optional.empty(), "cannot read /proc/self/mountinfo or /proc/self/cgroup: "
                    + e.getMessage());
        }
        Optional<CgroupTree> v2 = mode == Mode.V1 ? Optional.empty() : unified(mounts, ownPaths, parent, treeName);
        Optional<CgroupTree> v1 = mode == Mode.V2 ? Optional.empty() : perController(mounts, ownPaths, parent, treeName);
        int v2Count = v2.map(t -> t.controllers().size()).orElse(0);
        int v1Count = v1.map(t -> t.controllers().size()).orElse(0);
        if (v2Count > 0 && v2Count >= v1Count) {
            return new Detection(v2, "");
        }
        if (v1Count > 0) {
            return new Detection(v1, "");
        }
        return new Detection(Optional.empty(), switch (mode) {
            case V1 -> "no cgroup v1 hierarchy with a memory, cpu or pids controller is mounted";
            case V2 -> "cgroup v2 offers none of memory, cpu, pids to the launchpad's cgroup";
            default -> "no cgroup v2 controllers (memory, cpu, pids) are available to the launchpad's cgroup, and"
                    + " no cgroup v1 hierarchy has them";
        });
    }

    private Optional<CgroupTree> unified(List<Mount> mounts, Map<String, String> ownPaths, Optional<String> parent,
                                         String treeName) {
        Optional<Mount> mount = mounts.stream().filter(m -> m.type().equals("cgroup2")).findFirst();
        if (mount.isEmpty()) {
            return Optional.empty();
        }
        // the top of the visible hierarchy, not the launchpad's own cgroup: v2 forbids enabling
        // controllers for children of a (non-root) cgroup that holds processes, as the launchpad's does
        Path base = directory(mount.get(), parent.orElse(mount.get().root()));
        Set<Controller> available = EnumSet.noneOf(Controller.class);
        try {
            for (String name : Files.readString(base.resolve("cgroup.controllers")).trim().split("\\s+")) {
                for (Controller controller : Controller.values()) {
                    if (controller.kernelName().equals(name)) {
                        available.add(controller);
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        if (available.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(CgroupTree.v2(base, treeName, available));
    }

    private Optional<CgroupTree> perController(List<Mount> mounts, Map<String, String> ownPaths,
                                               Optional<String> parent, String treeName) {
        Map<Mount, Set<Controller>> byMount = new LinkedHashMap<>();
        for (Controller controller : Controller.values()) {
            for (Mount mount : mounts) {
                if (mount.type().equals("cgroup") && mount.options().contains(controller.kernelName())) {
                    byMount.computeIfAbsent(mount, m -> EnumSet.noneOf(Controller.class)).add(controller);
                    break;
                }
            }
        }
        List<CgroupTree.Hierarchy> hierarchies = new ArrayList<>();
        for (Map.Entry<Mount, Set<Controller>> entry : byMount.entrySet()) {
            String own = null;
            for (Controller controller : entry.getValue()) {
                own = own != null ? own : ownPaths.get(controller.kernelName());
            }
            Path base = directory(entry.getKey(), parent.orElse(own == null ? "/" : own));
            if (Files.isDirectory(base)) {
                hierarchies.add(new CgroupTree.Hierarchy(base.resolve(treeName), entry.getValue()));
            }
        }
        return hierarchies.isEmpty() ? Optional.empty() : Optional.of(CgroupTree.v1(hierarchies));
    }

    /** The directory of cgroup {@code path} (as /proc/self/cgroup shows it) in the mounted hierarchy. */
    private Path directory(Mount mount, String path) {
        String relative = path;
        if (!mount.root().equals("/")) {
            relative = path.equals(mount.root()) ? "/"
                    : path.startsWith(mount.root() + "/") ? path.substring(mount.root().length()) : "/";
        }
        Path directory = fsRoot.resolve(mount.mountPoint().substring(1));
        for (String part : relative.split("/")) {
            if (!part.isEmpty() && !part.equals(".") && !part.equals("..")) {
                directory = directory.resolve(part);
            }
        }
        return directory;
    }

    /** Mount lines of cgroup and cgroup2 file systems (see proc(5), /proc/pid/mountinfo). */
    static List<Mount> parseMountinfo(String mountinfo) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            int separator = line.indexOf(" - ");
            if (separator < 0) {
                continue;
            }
            String[] before = line.substring(0, separator).split(" ");
            String[] after = line.substring(separator + 3).split(" ");
            if (before.length < 5 || after.length < 3) {
                continue;
            }
            String type = after[0];
            if (!type.equals("cgroup") && !type.equals("cgroup2")) {
                continue;
            }
            mounts.add(new Mount(unescape(before[3]), unescape(before[4]), type, Set.of(after[2].split(","))));
        }
        return mounts;
    }

    /**
     * Lines {@code id:controllers:path} of /proc/self/cgroup: each v1 controller name maps to its
     * path, and the empty name to the v2 path.
     */
    static Map<String, String> parseProcCgroup(String content) {
        Map<String, String> paths = new HashMap<>();
        for (String line : content.split("\n")) {
            String[] parts = line.split(":", 3);
            if (parts.length < 3) {
                continue;
            }
            if (parts[0].equals("0") && parts[1].isEmpty()) {
                paths.put("", parts[2]);
            } else {
                for (String controller : parts[1].split(",")) {
                    paths.put(controller, parts[2]);
                }
            }
        }
        return paths;
    }

    /** mountinfo writes space, tab, newline and backslash as \ooo. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()
                    && field.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
