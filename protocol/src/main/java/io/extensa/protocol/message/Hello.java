package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Arrays;
import java.util.Objects;

/**
 * HELLO 0x01, the first frame from a satellite (job_id, secret and max_frame present) or from a
 * fork server (only runtime, runtime_version and pid).
 * <pre>
 *  1 job_id TEXT  2 secret BYTES (32)  3 runtime TEXT  4 runtime_version TEXT  5 pid INT  6 max_frame INT
 *  8 unit_runs BOOL (the satellite takes END_OF_INPUT with unit_rows; 7 is the fork server's sandbox)
 *  9 key_groups BOOL (the satellite takes END_OF_INPUT with group_by: it groups its rows by key itself)
 * </pre>
 *
 * @param jobId null in a fork server's HELLO
 * @param secret null in a fork server's HELLO
 * @param maxFrame largest payload this side accepts, 0 when not stated
 * @param unitRuns the satellite runs a run of several units from one END_OF_INPUT with unit_rows
 * @param keyGroups the satellite cuts the rows of one END_OF_INPUT with group_by into one unit per key
 */
public record Hello(String jobId, byte[] secret, String runtime, String runtimeVersion, long pid, long maxFrame,
                    boolean unitRuns, boolean keyGroups) implements Message {

    public static final int SECRET_LENGTH = 32;

    public Hello {
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(runtimeVersion, "runtimeVersion");
        secret = secret == null ? null : secret.clone();
    }

    public Hello(String jobId, byte[] secret, String runtime, String runtimeVersion, long pid, long maxFrame) {
        this(jobId, secret, runtime, runtimeVersion, pid, maxFrame, false, false);
    }

    public Hello(String jobId, byte[] secret, String runtime, String runtimeVersion, long pid, long maxFrame,
                 boolean unitRuns) {
        this(jobId, secret, runtime, runtimeVersion, pid, maxFrame, unitRuns, false);
    }

    /** A fork server's greeting. */
    public static Hello forkServer(String runtime, String runtimeVersion, long pid) {
        return new Hello(null, null, runtime, runtimeVersion, pid, 0);
    }

    /** Whether this is a satellite's HELLO (it names a job). */
    public boolean isSatellite() {
        return jobId != null;
    }

    @Override
    public byte[] secret() {
        return secret == null ? null : secret.clone();
    }

    @Override
    public MessageType type() {
        return MessageType.HELLO;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder out = new PayloadBuilder();
        if (jobId != null) {
            out.text(1, jobId);
        }
        if (secret != null) {
            out.bytes(2, secret);
        }
        out.text(3, runtime);
        out.text(4, runtimeVersion);
        out.int64(5, pid);
        if (maxFrame != 0) {
            out.int64(6, maxFrame);
        }
        if (unitRuns) {
            out.bool(8, true);
        }
        if (keyGroups) {
            out.bool(9, true);
        }
        return out;
    }

    public static Hello decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "HELLO");
        String jobId = null;
        byte[] secret = null;
        String runtime = null;
        String version = null;
        long pid = 0;
        long maxFrame = 0;
        boolean unitRuns = false;
        boolean keyGroups = false;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> jobId = in.text();
                case 2 -> secret = in.bytes();
                case 3 -> runtime = in.text();
                case 4 -> version = in.text();
                case 5 -> pid = in.int64();
                case 6 -> maxFrame = in.int64();
                case 8 -> unitRuns = in.bool();
                case 9 -> keyGroups = in.bool();
                default -> in.unknown();
            }
        }
        in.require(3, "runtime");
        in.require(4, "runtime_version");
        in.require(5, "pid");
        if ((jobId == null) != (secret == null)) {
            throw in.invalid("must carry both job_id and secret or neither");
        }
        if (maxFrame < 0) {
            throw in.invalid("max_frame " + maxFrame + " is negative");
        }
        return new Hello(jobId, secret, runtime, version, pid, maxFrame, unitRuns, keyGroups);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hello h && Objects.equals(jobId, h.jobId) && Arrays.equals(secret, h.secret)
                && runtime.equals(h.runtime) && runtimeVersion.equals(h.runtimeVersion) && pid == h.pid
                && maxFrame == h.maxFrame && unitRuns == h.unitRuns && keyGroups == h.keyGroups;
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, Arrays.hashCode(secret), runtime, runtimeVersion, pid, maxFrame, unitRuns, keyGroups);
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "Hello[jobId=" + jobId + ", secret=" + (secret == null ? "none" : secret.length + " bytes")
                + ", runtime=" + runtime + " " + runtimeVersion + ", pid=" + pid + ", maxFrame=" + maxFrame + (unitRuns ? ", unitRuns" : "")
                + (keyGroups ? ", keyGroups" : "") + "]";
    }
}
