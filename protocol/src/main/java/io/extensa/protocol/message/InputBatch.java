package io.extensa.protocol.message;

import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Objects;

/**
 * INPUT_BATCH 0x11, engine to satellite, repeated per unit before END_OF_INPUT. The payload is a {@link Batch}:
 * <pre>
 *  1 row_count INT  2 column STRUCT* (one per schema column, see {@link io.extensa.protocol.batch.ColumnVector})
 * </pre>
 * On hot paths skip this record and write {@link BatchBuilder#encode()} as the INPUT_BATCH payload directly.
 */
public record InputBatch(Batch batch) implements Message {

    public InputBatch {
        Objects.requireNonNull(batch, "batch");
    }

    @Override
    public MessageType type() {
        return MessageType.INPUT_BATCH;
    }

    @Override
    public PayloadBuilder encode() {
        return batch.encode();
    }

    public static InputBatch decode(FieldCursor fields) throws ProtocolException {
        return new InputBatch(Batch.decode(fields));
    }
}
