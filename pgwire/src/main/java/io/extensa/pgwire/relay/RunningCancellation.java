package io.extensa.pgwire.relay;

import io.extensa.pgwire.intercept.Cancellation;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The cancellation signal of one running Extensa statement. */
final class RunningCancellation implements Cancellation {

    private static final Logger log = LoggerFactory.getLogger(RunningCancellation.class);

    private final List<Runnable> actions = new CopyOnWriteArrayList<>();
    private volatile String reason;

    void cancel(String why) {
        synchronized (this) {
            if (reason != null) {
                return;
            }
            reason = why;
        }
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException e) {
                log.warn("cancel action failed", e);
            }
        }
    }

    @Override
    public boolean isCancelled() {
        return reason != null;
    }

    @Override
    public String reason() {
        String r = reason;
        return r == null ? "" : r;
    }

    @Override
    public AutoCloseable onCancel(Runnable action) {
        boolean runNow;
        synchronized (this) {
            actions.add(action);
            runNow = reason != null;
        }
        if (runNow) {
            action.run();
        }
        return () -> actions.remove(action);
    }
}
