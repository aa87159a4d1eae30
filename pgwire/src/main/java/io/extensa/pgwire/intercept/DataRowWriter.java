package io.extensa.pgwire.intercept;

import java.nio.ByteBuffer;

/** Writes DataRow messages of the current result straight into the client's output buffer. */
public interface DataRowWriter {

    /** The format the client asked for this column: 0 text, 1 binary. */
    int format(int column);

    void beginRow(int fieldCount);

    void nullField();

    void field(byte[] value, int offset, int length);

    default void field(byte[] value) {
        field(value, 0, value.length);
    }

    void field(ByteBuffer value);

    void endRow();
}
