package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Objects;

/**
 * FORKED 0x61, fork server to launchpad: the child for a job runs.
 * <pre>
 *  1 job_id TEXT  2 pid INT
 * </pre>
 */
public record Forked(String jobId, long pid) implements Message {

    public Forked {
        Objects.requireNonNull(jobId, "jobId");
    }

    @Override
    public MessageType type() {
        return MessageType.FORKED;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder().text(1, jobId).int64(2, pid);
    }

    public static Forked decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "FORKED");
        String jobId = null;
        long pid = 0;
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> jobId = in.text();
                case 2 -> pid = in.int64();
                default -> in.unknown();
            }
        }
        in.require(1, "job_id");
        in.require(2, "pid");
        if (pid <= 0) {
            throw in.invalid("pid " + pid);
        }
        return new Forked(jobId, pid);
    }
}
