package io.extensa.launchpad.job;

import io.extensa.protocol.launch.LaunchErrorKind;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The jobs of this launchpad. A job id is reserved before anything is created for it, so two
 * requests with the same id never share a directory, and the count of reservations enforces
 * {@code launchpad.max_jobs}.
 */
public final class JobRegistry {

    private final int maxJobs;
    private final Set<String> reserved = new HashSet<>();
    private final Map<String, Job> running = new LinkedHashMap<>();
    private boolean closed;

    public JobRegistry(int maxJobs) {
        this.maxJobs = maxJobs;
    }

    synchronized void reserve(String jobId) throws LaunchFailure {
        if (closed) {
            throw new LaunchFailure(LaunchErrorKind.BUSY, "the launchpad is shutting down");
        }
        if (reserved.contains(jobId)) {
            throw new LaunchFailure(LaunchErrorKind.BAD_REQUEST, "job '" + jobId + "' is already running");
        }
        if (reserved.size() >= maxJobs) {
            throw new LaunchFailure(LaunchErrorKind.BUSY, reserved.size() + " jobs are running, the most this launchpad"
                    + " allows (launchpad.max_jobs); try again when one has ended");
        }
        reserved.add(jobId);
    }

    synchronized void activate(Job job) {
        running.put(job.id(), job);
    }

    synchronized void release(String jobId) {
        running.remove(jobId);
        reserved.remove(jobId);
    }

    public synchronized List<Job> jobs() {
        return new ArrayList<>(running.values());
    }

    public synchronized int size() {
        return reserved.size();
    }

    /** Refuses new jobs from now on and returns the running ones. */
    public synchronized List<Job> close() {
        closed = true;
        return new ArrayList<>(running.values());
    }
}
