package io.extensa.engine.script;

/**
 * A caller's standby satellite asked for its pool slot ahead of the call's permission check
 * ({@link ScriptExecution#activateStandby}), handed to {@link ScriptExecution#start}. Closing one
 * the call did not take ends the standby: a refused call leaves nothing running.
 */
public final class StandbyActivation implements AutoCloseable {

    /** No standby was ready: the call launches or takes one as usual. */
    public static final StandbyActivation NONE = new StandbyActivation(null);

    private ScriptJob.Launching launching;

    StandbyActivation(ScriptJob.Launching launching) {
        this.launching = launching;
    }

    /** The activation, for the call to use; null when there is none or it was taken already. */
    synchronized ScriptJob.Launching take() {
        ScriptJob.Launching l = launching;
        launching = null;
        return l;
    }

    @Override
    public void close() {
        ScriptJob.Launching l = take();
        if (l != null) {
            l.abandon();
        }
    }
}
