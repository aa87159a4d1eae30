package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/**
 * ACTIVATED (0x49, launchpad to engine): the standby job now holds a slot in its pool; the engine
 * may give its satellite user code.
 * <pre>
 *  tag kind  field
 *  1   TEXT  job_id
 * </pre>
 */
public record Activated(String jobId) implements ControlMessage {

    private static final int JOB_ID_TAG = 1;

    @Override
    public MessageType type() {
        return MessageType.ACTIVATED;
    }

    @Override
    public PayloadBuilder encode() {
        return new PayloadBuilder().text(JOB_ID_TAG, jobId);
    }

    static Activated decode(FieldCursor fields) throws ProtocolException {
        String jobId = null;
        while (fields.next()) {
            if (fields.tag() == JOB_ID_TAG) {
                jobId = fields.asText();
            } else {
                fields.skipUnknown();
            }
        }
        return new Activated(Fields.require(jobId, "ACTIVATED", "1 job_id"));
    }
}
