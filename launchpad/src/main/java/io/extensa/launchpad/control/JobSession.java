package io.extensa.launchpad.control;

import io.extensa.launchpad.job.Job;
import io.extensa.launchpad.job.JobConnection;
import io.extensa.launchpad.job.JobLauncher;
import io.extensa.launchpad.job.LaunchFailure;
import io.extensa.protocol.launch.Activate;
import io.extensa.protocol.launch.Activated;
import io.extensa.protocol.launch.CancelJob;
import io.extensa.protocol.launch.ControlMessage;
import io.extensa.protocol.launch.ControlStream;
import io.extensa.protocol.launch.ExitReason;
import io.extensa.protocol.launch.Exited;
import io.extensa.protocol.launch.LaunchError;
import io.extensa.protocol.launch.LaunchErrorKind;
import io.extensa.protocol.launch.LaunchRequest;
import io.extensa.protocol.launch.Launched;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;

/**
 * One job's control connection, from LAUNCH to the end: the job lives exactly as long as the
 * connection, so whatever ends the connection (the engine closing it, the engine's process dying,
 * garbage on the wire, the launchpad stopping) ends the job.
 */
final class JobSession implements JobConnection {

    private static final Logger log = LoggerFactory.getLogger(JobSession.class);

    private final SocketChannel channel;
    private final ControlStream stream;
    private final LaunchRequest request;
    private final JobLauncher launcher;
    private final String peer;
    private volatile boolean peerGone;

    JobSession(SocketChannel channel, ControlStream stream, LaunchRequest request, JobLauncher launcher, String peer) {
        this.channel = channel;
        this.stream = stream;
        this.request = request;
        this.launcher = launcher;
        this.peer = peer;
    }

    void run() {
        Job job;
        try {
            job = launcher.launch(request, this::withdrawn);
        } catch (LaunchFailure e) {
            log.warn("job {} from {}: {} ({})", request.jobId(), peer, e.getMessage(), e.kind());
            send(new LaunchError(e.kind(), e.getMessage()));
            return;
        } catch (RuntimeException e) {
            log.error("job {} from {}: launch failed unexpectedly", request.jobId(), peer, e);
            send(new LaunchError(LaunchErrorKind.LAUNCH_FAILED, "the launchpad failed to launch job "
                    + request.jobId() + ": " + e));
            return;
        }
        try {
            stream.send(new Launched(job.id(), job.pid(), job.workDir().toString(), job.warm(), job.worker().name()));
            job.watch(this);
            readUntilClosed(job);
            peerGone = true;
        } catch (IOException e) {
            log.warn("job {}: cannot send LAUNCHED ({}); ending the job", job.id(), e.getMessage());
        } finally {
            job.terminate();
        }
    }

    /**
     * While the request waits for a pool slot, the engine may only give up: by closing the
     * connection or by sending anything (CANCEL_JOB). A non-blocking read tells without waiting.
     */
    private boolean withdrawn() {
        java.nio.ByteBuffer probe = java.nio.ByteBuffer.allocate(1);
        try {
            channel.configureBlocking(false);
            try {
                return channel.read(probe) != 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * The engine may only cancel, or activate a standby job; everything else, including the end of
     * the stream, ends the job.
     */
    private void readUntilClosed(Job job) {
        while (true) {
            ControlMessage message;
            try {
                message = stream.receive();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                log.warn("job {}: ending it because its control connection broke: {}", job.id(), e.getMessage());
                return;
            }
            switch (message) {
                case null -> {
                    log.debug("job {}: the engine closed its control connection", job.id());
                    return;
                }
                case CancelJob cancel when cancel.jobId().equals(job.id()) -> job.kill(ExitReason.CANCELLED);
                case Activate activate when activate.jobId().equals(job.id()) && job.request().standby() -> {
                    if (!activate(job, activate)) {
                        return;
                    }
                }
                case CancelJob cancel -> log.warn("job {}: ignoring CANCEL_JOB for job {} on its connection", job.id(),
                        cancel.jobId());
                default -> {
                    log.warn("job {}: ending it because the engine sent {} on its connection", job.id(), message.type());
                    return;
                }
            }
        }
    }

    /** Takes the standby job's pool slot and answers ACTIVATED; false (ERROR sent) when it gets none. */
    private boolean activate(Job job, Activate activate) {
        try {
            job.activate(activate.queueTimeout().orElse(java.time.Duration.ZERO), this::withdrawn);
        } catch (LaunchFailure e) {
            log.info("job {}: not activated: {} ({})", job.id(), e.getMessage(), e.kind());
            send(new LaunchError(e.kind(), e.getMessage()));
            return false;
        }
        send(new Activated(job.id()));
        return true;
    }

    @Override
    public void sendExited(Exited exited) {
        if (!peerGone) {
            send(exited);
        }
    }

    private void send(ControlMessage message) {
        try {
            stream.send(message);
        } catch (IOException e) {
            log.debug("job {}: cannot send {} ({}): the engine is gone", request.jobId(), message.type(), e.getMessage());
        }
    }

    @Override
    public void close() {
        ControlServer.closeQuietly(channel);
    }
}
