package io.extensa.protocol.launch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.Frame;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

/**
 * A message of the launch-control or fork-server channel. {@link #decode(Frame)} is the one place
 * where frames of these channels become typed messages; each side then dispatches with a single
 * switch over the sealed subtypes and rejects the ones it does not expect.
 */
public sealed interface ControlMessage
        permits LaunchRequest, Launched, Exited, CancelJob, LaunchError, StatusRequest, LaunchpadStatus,
        Pools, PoolsApplied, Activate, Activated, ForkServerHello, ForkRequest, Forked, ChildExited {

    /** The frame type this message travels as. */
    MessageType type();

    /** The payload: tagged fields, as laid out in the message's javadoc. */
    PayloadBuilder encode();

    static ControlMessage decode(Frame frame) throws ProtocolException {
        FieldCursor fields = frame.fields();
        return switch (frame.type()) {
            case LAUNCH -> LaunchRequest.decode(fields);
            case LAUNCHED -> Launched.decode(fields);
            case EXITED -> Exited.decode(fields);
            case CANCEL_JOB -> CancelJob.decode(fields);
            case ERROR -> LaunchError.decode(fields);
            case STATUS_REQUEST -> StatusRequest.decode(fields);
            case STATUS -> LaunchpadStatus.decode(fields);
            case POOLS -> Pools.decode(fields);
            case POOLS_APPLIED -> PoolsApplied.decode(fields);
            case ACTIVATE -> Activate.decode(fields);
            case ACTIVATED -> Activated.decode(fields);
            case HELLO -> ForkServerHello.decode(fields);
            case FORK -> ForkRequest.decode(fields);
            case FORKED -> Forked.decode(fields);
            case CHILD_EXITED -> ChildExited.decode(fields);
            default -> throw new ProtocolException(frame.type() + " is not a launch-control or fork-server message");
        };
    }
}
