package io.extensa.server.process;

import io.extensa.server.ExtensaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An operating-system account that runs some of Extensa's child processes. PostgreSQL refuses to
 * run as root, so a root server runs it as an unprivileged system account instead.
 */
public record OsAccount(String name, int uid, int gid, Path home) {

    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    /** The account this JVM runs as. */
    public static OsAccount current() {
        int uid = currentUid();
        return lookup(uid).orElseGet(() -> new OsAccount(System.getProperty("user.name"), uid, uid,
                Path.of(System.getProperty("user.home"))));
    }

    public static boolean currentIsRoot() {
        return currentUid() == 0;
    }

    public boolean isRoot() {
        return uid == 0;
    }

    public boolean isCurrent() {
        return uid == currentUid();
    }

    /** Looks up an account by name in the system's user database (getent passwd). */
    public static Optional<OsAccount> lookup(String name) {
        return getent(name);
    }

    public static Optional<OsAccount> lookup(int uid) {
        return getent(Integer.toString(uid));
    }

    /**
     * Returns the unprivileged system account {@code name}, creating it first when missing (needs
     * root): no home directory, no login shell.
     */
    public static OsAccount ensureSystemAccount(String name) {
        Optional<OsAccount> existing = lookup(name);
        if (existing.isPresent()) {
            return refuseRoot(existing.get());
        }
        if (!currentIsRoot()) {
            throw new ExtensaException("the system account '" + name + "' does not exist and only root can create it");
        }
        // root's PATH may lack /usr/sbin (su without -l, some CI shells)
        String useradd = Files.isExecutable(Path.of("/usr/sbin/useradd")) ? "/usr/sbin/useradd" : "useradd";
        CommandResult created = CommandRunner.inherited().run(List.of(useradd, "--system", "--user-group",
                "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                "--comment", "Extensa managed PostgreSQL", name));
        // Another start may have created it at the same moment; what counts is that it exists now.
        return lookup(name).map(OsAccount::refuseRoot).orElseThrow(() -> new ExtensaException(
                "could not create the system account '" + name + "' for PostgreSQL: " + created.describe()));
    }

    private static OsAccount refuseRoot(OsAccount account) {
        if (account.isRoot()) {
            throw new ExtensaException("the account '" + account.name() + "' has uid 0; PostgreSQL needs an unprivileged account");
        }
        return account;
    }

    /**
     * The command line that runs {@code command} as this account: unchanged when it is the
     * current account, otherwise through setpriv (which keeps the environment we set, unlike su).
     */
    public List<String> wrap(List<String> command) {
        if (isCurrent()) {
            return command;
        }
        var wrapped = new ArrayList<String>();
        wrapped.add(SETPRIV.toString());
        wrapped.add("--reuid=" + uid);
        wrapped.add("--regid=" + gid);
        wrapped.add("--init-groups");
        wrapped.add("--");
        wrapped.addAll(command);
        return wrapped;
    }

    /** Makes this account the owner of {@code path} (root only; a no-op when already so). */
    public void takeOwnership(Path path) {
        try {
            var view = Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            UserPrincipalLookupService names = path.getFileSystem().getUserPrincipalLookupService();
            if (((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)) != uid) {
                view.setOwner(names.lookupPrincipalByName(name));
            }
            if (((Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS)) != gid) {
                Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            throw new ExtensaException("could not give " + path + " to the account " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Lets this account create files in {@code directory} while the current (root) user keeps
     * owning it: group = this account's group, mode 1775. The sticky bit means the account can
     * remove only its own files there, not the ones root's processes put beside them.
     */
    public void shareDirectory(Path directory) {
        try {
            int me = currentUid();
            if (ownerUid(directory) != me) {
                Files.setAttribute(directory, "unix:uid", me, LinkOption.NOFOLLOW_LINKS);
            }
            Files.setAttribute(directory, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new ExtensaException("could not share " + directory + " with the account " + name + ": " + e.getMessage(), e);
        }
        // Java's permission API has no sticky bit.
        CommandResult chmod = CommandRunner.inherited().run(List.of("chmod", "1775", directory.toString()));
        if (!chmod.succeeded()) {
            throw new ExtensaException("could not set the mode of " + directory + ": " + chmod.describe());
        }
    }

    /**
     * Whether this account can reach {@code directory}: every parent must be searchable by it.
     * Asks the kernel (runs {@code test -x} as the account) rather than re-implementing permission rules.
     */
    public boolean canTraverse(Path directory) {
        if (isCurrent() || isRoot()) {
            return Files.isExecutable(directory) || isRoot();
        }
        return CommandRunner.inherited().inDirectory(Path.of("/"))
                .run(wrap(List.of("test", "-x", directory.toString()))).succeeded();
    }

    /** The first directory on the way to {@code directory} that this account cannot enter, if any. */
    public Optional<Path> firstUntraversable(Path directory) {
        Path absolute = directory.toAbsolutePath().normalize();
        if (canTraverse(absolute)) {
            return Optional.empty();
        }
        Path walked = absolute.getRoot();
        for (Path part : absolute) {
            walked = walked.resolve(part);
            if (Files.isDirectory(walked) && !canTraverse(walked)) {
                return Optional.of(walked);
            }
        }
        return Optional.of(absolute);
    }

    /** The uid that owns {@code path}. */
    public static int ownerUid(Path path) {
        try {
            return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new ExtensaException("could not read the owner of " + path + ": " + e.getMessage(), e);
        }
    }

    private static Optional<OsAccount> getent(String key) {
        CommandResult result = CommandRunner.inherited().run(List.of("getent", "passwd", key));
        if (!result.succeeded()) {
            return Optional.empty();
        }
        // name:password:uid:gid:gecos:home:shell
        String[] fields = result.output().strip().split("\n", 2)[0].split(":", -1);
        if (fields.length < 7) {
            return Optional.empty();
        }
        return Optional.of(new OsAccount(fields[0], Integer.parseInt(fields[2]), Integer.parseInt(fields[3]),
                Path.of(fields[5])));
    }

    private static int currentUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    // Uid: real effective saved filesystem; permission checks use the effective one.
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new ExtensaException("could not determine the current user id from /proc/self/status", e);
        }
        throw new ExtensaException("could not determine the current user id from /proc/self/status");
    }
}
