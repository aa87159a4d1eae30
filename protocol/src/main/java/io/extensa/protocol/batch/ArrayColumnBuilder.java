package io.extensa.protocol.batch;

/**
 * Builds an ARRAY column. Append a row's elements to {@link #child()} (flattened in row-major
 * order), then close the row with {@link #endArray()} (one dimension) or
 * {@link #endArray(int...)} (its shape, e.g. 2, 3 for a 2x3 array). An empty array has no
 * dimensions and no elements. Shapes are written only once some row has two or more dimensions.
 */
public final class ArrayColumnBuilder extends ColumnBuilder {

    private static final int[] NO_DIMENSIONS = {};

    private final ColumnBuilder child;
    private final GrowableBuffer offsets = new GrowableBuffer(4 * 257);
    /** Null until a multi-dimensional row arrives; then one entry per row, earlier rows backfilled. */
    private GrowableBuffer shapeOffsets;
    private GrowableBuffer shapes;

    ArrayColumnBuilder(ColumnType elementType) {
        super(ColumnType.ARRAY);
        if (elementType == ColumnType.ARRAY) {
            throw new IllegalArgumentException("ARRAY elements cannot be arrays: use shapes for more dimensions");
        }
        this.child = create(elementType);
        offsets.putInt(0);
    }

    public ColumnBuilder child() {
        return child;
    }

    public ColumnType elementType() {
        return child.type();
    }

    /** Closes a one-dimensional row holding the elements appended since the previous row. */
    public void endArray() {
        int elements = pendingElements();
        if (elements == 0) {
            endArray(NO_DIMENSIONS);
        } else {
            endArray(elements);
        }
    }

    /** Closes a row of the given shape; its element count must be the product of the dimensions. */
    public void endArray(int... dimensions) {
        int elements = pendingElements();
        long product = dimensions.length == 0 ? 0 : 1;
        for (int d : dimensions) {
            if (d < 1) {
                throw new IllegalArgumentException("array dimensions must be at least 1, got " + d);
            }
            product *= d;
            if (product > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("array too large");
            }
        }
        if (product != elements) {
            throw new IllegalStateException("shape holds " + product + " elements but " + elements + " were appended");
        }
        if (dimensions.length > 1 && shapes == null) {
            startShapes();
        }
        if (shapes != null) {
            for (int d : dimensions) {
                shapes.putInt(d);
            }
            shapeOffsets.putInt(shapes.size() / 4);
        }
        offsets.putInt(child.rowCount());
        present();
    }

    @Override
    protected void appendNullSlot() {
        if (pendingElements() != 0) {
            throw new IllegalStateException("appendNull with " + pendingElements() + " elements not closed by endArray");
        }
        offsets.putInt(child.rowCount());
        if (shapes != null) {
            shapeOffsets.putInt(shapes.size() / 4);
        }
    }

    @Override
    public long byteSize() {
        long shapeBytes = shapes == null ? 0 : (long) shapes.size() + shapeOffsets.size();
        return offsets.size() + validityBytes() + child.byteSize() + shapeBytes;
    }

    @Override
    public void reset() {
        super.reset();
        child.reset();
        offsets.clear();
        offsets.putInt(0);
        shapes = null;
        shapeOffsets = null;
    }

    @Override
    public ColumnVector build() {
        if (pendingElements() != 0) {
            throw new IllegalStateException(pendingElements() + " elements not closed by endArray");
        }
        return ColumnVector.of(type, rowCount, nullCount, validityView(), offsets.view(), null, child.build(),
                shapeOffsets == null ? null : shapeOffsets.view(), shapes == null ? null : shapes.view());
    }

    private int pendingElements() {
        return child.rowCount() - offsets.getInt(offsets.size() - 4);
    }

    private void startShapes() {
        shapeOffsets = new GrowableBuffer(4 * (rowCount + 2));
        shapes = new GrowableBuffer(8 * (rowCount + 2));
        shapeOffsets.putInt(0);
        for (int row = 0; row < rowCount; row++) {
            int start = offsets.getInt(4 * row);
            int end = offsets.getInt(4 * row + 4);
            if (end > start) {
                shapes.putInt(end - start);
            }
            shapeOffsets.putInt(shapes.size() / 4);
        }
    }
}
