package io.extensa.launchpad.isolation;

import io.extensa.launchpad.job.LaunchFailure;
import io.extensa.protocol.launch.LaunchErrorKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A pool of unprivileged system accounts ({@code prefix01}, {@code prefix02}, ...) in one group,
 * created with {@code groupadd}/{@code useradd} when missing; needs root. Each running job holds
 * one account exclusively, so two jobs never share a uid: they cannot signal each other, read
 * each other's files, or share an RLIMIT_NPROC budget. A launch waits up to {@code wait} for a
 * free account, then fails {@code busy}.
 */
public final class WorkerPool implements WorkerAccounts {

    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final List<WorkerAccount> accounts;
    private final Deque<WorkerAccount> free;
    private final Duration wait;
    private final String group;

    private WorkerPool(List<WorkerAccount> accounts, String group, Duration wait) {
        this.accounts = List.copyOf(accounts);
        this.free = new ArrayDeque<>(accounts);
        this.group = group;
        this.wait = wait;
    }

    /** Makes sure {@code size} accounts named {@code prefix01..} exist in {@code group}, creating what is missing. */
    public static WorkerPool create(String prefix, String group, int size, Duration wait) throws IOException {
        if (lookup(Path.of("/etc/group"), group).isEmpty()) {
            run(List.of("groupadd", "--system", group));
        }
        long gid = lookup(Path.of("/etc/group"), group)
                .orElseThrow(() -> new IOException("group " + group + " is missing after groupadd"));
        List<WorkerAccount> accounts = new ArrayList<>(size);
        int created = 0;
        for (int i = 1; i <= size; i++) {
            String name = prefix + String.format("%02d", i);
            Optional<Long> uid = lookup(Path.of("/etc/passwd"), name);
            if (uid.isEmpty()) {
                // no home, no shell, no password: the account exists only to own a job's processes and files
                run(List.of("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell",
                        "/usr/sbin/nologin", "--gid", group, "--comment", "Extensa worker", name));
                created++;
                uid = lookup(Path.of("/etc/passwd"), name);
            }
            long id = uid.orElseThrow(() -> new IOException("account " + name + " is missing after useradd"));
            if (id == 0) {
                throw new IOException("worker account " + name + " has uid 0; refusing to run jobs as root");
            }
            accounts.add(new WorkerAccount(name, id, gid));
        }
        if (created > 0) {
            log.info("created {} worker accounts {}..{} in group {}", created, accounts.get(0).name(),
                    accounts.get(accounts.size() - 1).name(), group);
        }
        return new WorkerPool(accounts, group, wait);
    }

    @Override
    public WorkerAccount acquire(String jobId) throws LaunchFailure {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (this) {
            while (free.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new LaunchFailure(LaunchErrorKind.BUSY, "all " + accounts.size()
                            + " worker accounts are in use (launchpad.workers); waited " + wait.toMillis() + " ms");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LaunchFailure(LaunchErrorKind.BUSY, "interrupted while waiting for a worker account");
                }
            }
            return free.removeFirst();
        }
    }

    @Override
    public synchronized void release(WorkerAccount account) {
        if (accounts.contains(account) && !free.contains(account)) {
            // the least recently used account goes next: a uid that just ended rests longest
            free.addLast(account);
            notifyAll();
        }
    }

    public synchronized int available() {
        return free.size();
    }

    public List<WorkerAccount> accounts() {
        return accounts;
    }

    @Override
    public String describe() {
        return "root, " + accounts.size() + " worker accounts (" + accounts.get(0).name() + ".., group " + group + ")";
    }

    /** The numeric id of {@code name} in an /etc/passwd or /etc/group style file (third field). */
    static Optional<Long> lookup(Path file, String name) throws IOException {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] fields = line.split(":", -1);
            if (fields.length >= 3 && fields[0].equals(name)) {
                return Optional.of(Long.parseLong(fields[2]));
            }
        }
        return Optional.empty();
    }

    private static void run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT);
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): "
                        + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command));
        }
    }
}
