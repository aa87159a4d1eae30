package io.extensa.launchpad.job;

import io.extensa.protocol.launch.Exited;

/** The control connection a job lives on, as the job sees it. */
public interface JobConnection {

    /** Delivers EXITED; a connection that is gone drops it silently. */
    void sendExited(Exited exited);

    /** Closes the connection (the launchpad is shutting down). */
    void close();
}
