package io.extensa.server.datadir;

import io.extensa.server.ExtensaException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.OptionalLong;

/**
 * The exclusive lock on {@code DIR/extensa.lock} that a running server holds for its whole life.
 * The kernel drops it when the process dies however it dies, so it, not the pid file, is the truth
 * about whether a server runs on a data directory.
 */
public final class ServerLock implements AutoCloseable {

    /**
     * Lock files this JVM holds. POSIX drops all of a process's locks on a file when it closes any
     * descriptor of that file, so probing a file we hold ourselves would silently release it:
     * such files are answered from here instead of being opened again.
     */
    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private ServerLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, or returns empty when another server holds it. */
    public static Optional<ServerLock> tryAcquire(DataDirectory dir) {
        Path file = dir.lockFile();
        if (!HELD_HERE.add(file)) {
            return Optional.empty();
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(dir.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                HELD_HERE.remove(file);
                return Optional.empty();
            }
            return Optional.of(new ServerLock(file, channel, lock));
        } catch (OverlappingFileLockException heldInThisJvm) {
            closeQuietly(channel);
            HELD_HERE.remove(file);
            return Optional.empty();
        } catch (IOException e) {
            closeQuietly(channel);
            HELD_HERE.remove(file);
            throw new ExtensaException("cannot lock " + dir.lockFile() + ": " + e.getMessage(), e);
        }
    }

    /** Whether some process holds the lock now. Does not need write access to the directory. */
    public static boolean isHeld(DataDirectory dir) {
        Path file = dir.lockFile();
        if (HELD_HERE.contains(file)) {
            return true;
        }
        if (!Files.exists(file)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            FileLock probe = channel.tryLock(0, Long.MAX_VALUE, true);
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (OverlappingFileLockException heldInThisJvm) {
            return true;
        } catch (NoSuchFileException gone) {
            return false;
        } catch (IOException e) {
            throw new ExtensaException("cannot check the lock " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The pid of the process holding the lock, read from the kernel's lock table (/proc/locks),
     * for when the pid file is missing or damaged.
     */
    public static OptionalLong holderPid(DataDirectory dir) {
        try {
            long inode = ((Number) Files.getAttribute(dir.lockFile(), "unix:ino")).longValue();
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                // "1: POSIX  ADVISORY  WRITE 4242 fd:01:1234567 0 EOF" (id, class, mode, type, pid, dev:inode, range)
                String[] fields = line.trim().split("\\s+");
                if (fields.length >= 6 && fields[3].equals("WRITE") && !fields[1].equals("->")) {
                    String[] device = fields[5].split(":");
                    if (device.length == 3 && Long.parseLong(device[2]) == inode) {
                        return OptionalLong.of(Long.parseLong(fields[4]));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it as well
        }
        closeQuietly(channel);
        HELD_HERE.remove(file);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }
}
