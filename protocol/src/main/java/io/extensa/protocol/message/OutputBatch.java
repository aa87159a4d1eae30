package io.extensa.protocol.message;

import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.Objects;

/**
 * OUTPUT_BATCH 0x21, satellite to engine, after the unit's OUTPUT_SCHEMA. The payload is a {@link Batch}:
 * <pre>
 *  1 row_count INT  2 column STRUCT* (one per schema column, see {@link io.extensa.protocol.batch.ColumnVector})
 * </pre>
 * On hot paths skip this record and write {@link BatchBuilder#encode()} as the OUTPUT_BATCH payload directly.
 */
public record OutputBatch(Batch batch) implements Message {

    public OutputBatch {
        Objects.requireNonNull(batch, "batch");
    }

    @Override
    public MessageType type() {
        return MessageType.OUTPUT_BATCH;
    }

    @Override
    public PayloadBuilder encode() {
        return batch.encode();
    }

    public static OutputBatch decode(FieldCursor fields) throws ProtocolException {
        return new OutputBatch(Batch.decode(fields));
    }
}
