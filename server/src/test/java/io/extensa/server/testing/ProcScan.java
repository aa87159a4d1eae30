package io.extensa.server.testing;

import io.extensa.server.process.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** What tests learn about processes and sockets from /proc. */
public final class ProcScan {

    private ProcScan() {
    }

    /** Live processes whose command line mentions {@code path} (server JVM, postgres -D, launchpad). */
    public static List<Long> processesMentioning(Path path) {
        String needle = path.toString();
        return Processes.find(line -> line.contains(needle)).stream()
                .filter(pid -> pid != ProcessHandle.current().pid())
                .toList();
    }

    /** Inodes of TCP sockets in LISTEN state (IPv4 and IPv6). */
    public static Set<Long> listeningTcpInodes() {
        var inodes = new HashSet<Long>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                List<String> lines = Files.readAllLines(Path.of(table));
                for (String line : lines.subList(1, lines.size())) {
                    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 9 && fields[3].equals("0A")) {
                        inodes.add(Long.parseLong(fields[9]));
                    }
                }
            } catch (IOException e) {
                // no IPv6 on this machine
            }
        }
        return inodes;
    }

    /** Inodes of the sockets a process has open. */
    public static Set<Long> socketInodes(long pid) {
        var inodes = new HashSet<Long>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException gone) {
                    // closed between list and read
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the descriptors of " + pid, e);
        }
        return inodes;
    }

    /** Whether {@code pid} or any of its descendants listens on a TCP port. */
    public static boolean listensOnTcp(long pid) {
        Set<Long> listening = listeningTcpInodes();
        var pids = new HashSet<Long>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        return pids.stream().anyMatch(p -> socketInodes(p).stream().anyMatch(listening::contains));
    }
}
