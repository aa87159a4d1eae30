package io.extensa.launchpad.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the Linux process table from {@code /proc}. */
public final class ProcessTable {

    private static final Path PROC = Path.of("/proc");
    /** Fields after the command name's closing parenthesis, counted from 0: state is field 3 of the line. */
    private static final int STATE = 0;
    private static final int PARENT = 1;
    private static final int SESSION = 3;
    private static final int START_TIME = 19;

    private ProcessTable() {
    }

    /** @return the process's stat, or null when no such process exists (any more) */
    public static ProcessStat stat(long pid) {
        try {
            return parse(pid, Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Every process visible now; processes that vanish during the scan are left out. */
    public static List<ProcessStat> all() {
        List<ProcessStat> result = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
                    ProcessStat stat = stat(Long.parseLong(name));
                    if (stat != null) {
                        result.add(stat);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
        }
        return result;
    }

    /** True while the process with this pid and start time exists and has not died. */
    public static boolean isRunning(long pid, long startTime) {
        ProcessStat stat = stat(pid);
        return stat != null && !stat.dead() && (startTime == 0 || stat.startTime() == startTime);
    }

    /** The start time of a live process, or 0 when it is gone. */
    public static long startTime(long pid) {
        ProcessStat stat = stat(pid);
        return stat == null ? 0 : stat.startTime();
    }

    /**
     * The command name may contain spaces and parentheses, so the fixed fields are read after
     * the last ')'.
     */
    static ProcessStat parse(long pid, String line) {
        int close = line.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("malformed stat line for pid " + pid);
        }
        String[] fields = line.substring(close + 2).trim().split(" ");
        return new ProcessStat(pid, fields[STATE].charAt(0), Long.parseLong(fields[PARENT]),
                Long.parseLong(fields[SESSION]), Long.parseLong(fields[START_TIME]));
    }
}
