package io.extensa.launchpad.isolation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Every satellite runs as the launchpad's own user: there is no pool of worker accounts. */
public final class LaunchpadUserAccounts implements WorkerAccounts {

    private final WorkerAccount self;

    public LaunchpadUserAccounts() {
        this.self = new WorkerAccount(System.getProperty("user.name"), currentUid(), currentGid());
    }

    @Override
    public WorkerAccount acquire(String jobId) {
        return self;
    }

    @Override
    public void release(WorkerAccount account) {
        // nothing was reserved
    }

    @Override
    public String describe() {
        return self.uid() == 0 ? "root, no worker accounts" : "unprivileged (" + self.name() + ", no worker accounts)";
    }

    public static long currentUid() {
        return procSelf("unix:uid");
    }

    static long currentGid() {
        return procSelf("unix:gid");
    }

    private static long procSelf(String attribute) {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), attribute)).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }
}
