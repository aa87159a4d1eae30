package io.extensa.engine.monitor;

import java.util.Locale;

/** A live request's state as sys.dm_external_script_requests shows it. */
public enum RequestState {
    /** waiting for a place in its resource pool */
    QUEUED,
    /** its runtime is starting or running the script */
    RUNNING;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
