package io.extensa.launchpad.job;

import io.extensa.launchpad.process.ProcessTreeKiller;
import io.extensa.protocol.launch.LaunchErrorKind;
import io.extensa.protocol.launch.LaunchRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The jobs directory: one private directory per job ({@code <job_id>/}, with {@code tmp/}),
 * and next to it, out of the job's reach, {@code .<job_id>.pid} (the satellite's pid and start
 * time) and {@code .<job_id>.out} (a warm satellite's captured output).
 */
public final class JobDirectories {

    private static final Logger log = LoggerFactory.getLogger(JobDirectories.class);
    private static final String PRIVATE = "rwx------";
    private static final String PID_SUFFIX = ".pid";
    private static final String OUTPUT_SUFFIX = ".out";
    /** Fork servers record themselves as {@code .forkserver-<language>.pid}. */
    private static final String FORK_SERVER_PREFIX = ".forkserver-";

    private final Path root;

    public JobDirectories(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public void prepare() throws IOException {
        Files.createDirectories(root);
    }

    /** Creates the job's directory (mode 0700, must not exist yet) with {@code tmp/} inside. */
    public Path create(String jobId) throws LaunchFailure {
        Path dir = jobDir(jobId);
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(PRIVATE)));
        } catch (FileAlreadyExistsException e) {
            throw new LaunchFailure(LaunchErrorKind.BAD_REQUEST, "a directory for job '" + jobId
                    + "' already exists in " + root + "; job ids must be unique");
        } catch (IOException e) {
            throw new LaunchFailure(LaunchErrorKind.LAUNCH_FAILED, "cannot create the job directory " + dir + ": "
                    + e.getMessage(), e);
        }
        try {
            Files.createDirectory(dir.resolve("tmp"), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString(PRIVATE)));
        } catch (IOException e) {
            removeQuietly(dir);
            throw new LaunchFailure(LaunchErrorKind.LAUNCH_FAILED, "cannot create " + dir.resolve("tmp") + ": "
                    + e.getMessage(), e);
        }
        return dir;
    }

    public Path jobDir(String jobId) {
        return root.resolve(jobId);
    }

    public Path pidFile(String jobId) {
        return root.resolve("." + jobId + PID_SUFFIX);
    }

    public Path outputFile(String jobId) {
        return root.resolve("." + jobId + OUTPUT_SUFFIX);
    }

    public Path forkServerPidFile(String languageKey) {
        return root.resolve(FORK_SERVER_PREFIX + languageKey + PID_SUFFIX);
    }

    public void recordProcess(Path pidFile, long pid, long startTime) throws IOException {
        new PidFile(pid, startTime).write(pidFile);
    }

    /** Removes the job's directory, pid file and output file; logs what it could not remove. */
    public boolean remove(String jobId) {
        boolean removed = removeQuietly(jobDir(jobId));
        removed &= removeQuietly(pidFile(jobId));
        removed &= removeQuietly(outputFile(jobId));
        return removed;
    }

    static boolean removeQuietly(Path path) {
        try {
            TreeRemover.delete(path);
            return true;
        } catch (IOException e) {
            log.error("cannot remove {}: {}", path, e.toString());
            return false;
        }
    }

    /**
     * Cleans up after a predecessor that died without doing so: kills the processes recorded
     * in pid files (only when pid and start time still match), then removes stale job
     * directories and output files.
     *
     * @return how many stale job directories were removed
     */
    public int sweepStale(ProcessTreeKiller killer) throws IOException {
        int directories = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(PID_SUFFIX)) {
                    Optional<PidFile> recorded = PidFile.read(entry);
                    if (recorded.isPresent()) {
                        PidFile pid = recorded.get();
                        log.warn("killing leftovers of a previous launchpad recorded in {}: pid {}", name, pid.pid());
                        killer.killTree(pid.pid(), pid.startTime());
                    }
                    removeQuietly(entry);
                } else if (name.startsWith(".") && (name.endsWith(OUTPUT_SUFFIX) || name.endsWith(".tmp"))) {
                    removeQuietly(entry);
                }
            }
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (LaunchRequest.isValidJobId(name) && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    log.warn("removing the stale job directory {} left by a previous launchpad", entry);
                    if (removeQuietly(entry)) {
                        directories++;
                    }
                }
            }
        }
        return directories;
    }
}
