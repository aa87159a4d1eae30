package io.extensa.engine.types;

import io.extensa.protocol.batch.ColumnVector;

import java.nio.ByteBuffer;

/**
 * The data buffer of the column an encoder last saw. {@link ColumnVector#data()} makes a new
 * view per call; encoders of variable-length values ask here once per batch instead.
 */
final class VectorData {

    private ColumnVector vector;
    private ByteBuffer data;

    ByteBuffer of(ColumnVector column) {
        if (column != vector) {
            vector = column;
            data = column.data();
        }
        return data;
    }
}
