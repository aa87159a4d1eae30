package io.extensa.protocol.message;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * END_OF_INPUT 0x12, engine to satellite: the rows of a unit are complete; run the script on them.
 * With {@code unit_rows} (only to a satellite whose HELLO offered {@code unit_runs}) the rows since
 * the previous END_OF_INPUT form a run of consecutive units, {@code unit} being the first. With
 * {@code group_by} (only to a satellite whose HELLO offered {@code key_groups}) they form one unit
 * per distinct key of the named input columns, numbered from {@code unit} in an order the
 * satellite chooses.
 * <pre>
 *  1 last BOOL (no unit follows)  2 unit INT (0-based)  3 unit_rows BYTES (i64 per unit of the run; negotiated, so not critical)
 *  4 group_by INT* (0-based input column indexes of the key, in key order; negotiated, so not critical)
 * </pre>
 *
 * @param unitRows rows of each unit of the run, in order; null for a single unit
 * @param groupBy  the key columns the satellite groups the rows by; null when the engine cut the units
 */
public record EndOfInput(boolean last, long unit, long[] unitRows, int[] groupBy) implements Message {

    public EndOfInput {
        unitRows = unitRows == null ? null : unitRows.clone();
        groupBy = groupBy == null ? null : groupBy.clone();
        if (unitRows != null && groupBy != null) {
            throw new IllegalArgumentException("unit_rows and group_by exclude each other");
        }
        if (groupBy != null && groupBy.length == 0) {
            throw new IllegalArgumentException("group_by needs at least one column");
        }
    }

    public EndOfInput(boolean last, long unit, long[] unitRows) {
        this(last, unit, unitRows, null);
    }

    public EndOfInput(boolean last, long unit) {
        this(last, unit, null, null);
    }

    /** The last END_OF_INPUT of a satellite's share, whose rows the satellite groups by {@code keyColumns}. */
    public static EndOfInput grouped(boolean last, long unit, int[] keyColumns) {
        return new EndOfInput(last, unit, null, keyColumns);
    }

    @Override
    public long[] unitRows() {
        return unitRows == null ? null : unitRows.clone();
    }

    @Override
    public int[] groupBy() {
        return groupBy == null ? null : groupBy.clone();
    }

    /** Units this END_OF_INPUT completes (with group_by the satellite decides: -1). */
    public int unitCount() {
        return groupBy != null ? -1 : unitRows == null ? 1 : unitRows.length;
    }

    @Override
    public MessageType type() {
        return MessageType.END_OF_INPUT;
    }

    @Override
    public PayloadBuilder encode() {
        PayloadBuilder out = new PayloadBuilder().bool(1, last).int64(2, unit);
        if (unitRows != null) {
            ByteBuffer rows = ByteBuffer.allocate(unitRows.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            rows.asLongBuffer().put(unitRows);
            out.bytes(3, rows.array());
        }
        if (groupBy != null) {
            for (int column : groupBy) {
                out.int64(4, column);
            }
        }
        return out;
    }

    public static EndOfInput decode(FieldCursor fields) throws ProtocolException {
        FieldReader in = new FieldReader(fields, "END_OF_INPUT");
        boolean last = false;
        long unit = 0;
        long[] unitRows = null;
        int[] groupBy = new int[0];
        while (in.next()) {
            switch (in.tag()) {
                case 1 -> last = in.bool();
                case 2 -> unit = in.int64();
                case 3 -> {
                    byte[] raw = in.bytes();
                    if (raw.length == 0 || raw.length % 8 != 0) {
                        throw in.invalid("unit_rows has " + raw.length + " bytes, not a positive multiple of 8");
                    }
                    unitRows = new long[raw.length / 8];
                    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(unitRows);
                    if (Arrays.stream(unitRows).anyMatch(r -> r < 0)) {
                        throw in.invalid("unit_rows holds a negative row count");
                    }
                }
                case 4 -> {
                    long column = in.intElement();
                    if (column < 0 || column > Integer.MAX_VALUE) {
                        throw in.invalid("group_by names column " + column);
                    }
                    groupBy = Arrays.copyOf(groupBy, groupBy.length + 1);
                    groupBy[groupBy.length - 1] = (int) column;
                }
                default -> in.unknown();
            }
        }
        in.require(1, "last");
        in.require(2, "unit");
        if (unit < 0) {
            throw in.invalid("unit " + unit + " is negative");
        }
        if (groupBy.length > 0 && unitRows != null) {
            throw in.invalid("carries both unit_rows and group_by");
        }
        return new EndOfInput(last, unit, unitRows, groupBy.length == 0 ? null : groupBy);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EndOfInput e && last == e.last && unit == e.unit && Arrays.equals(unitRows, e.unitRows)
                && Arrays.equals(groupBy, e.groupBy);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(unit) * 31 + Boolean.hashCode(last) + Arrays.hashCode(unitRows) * 17
                + Arrays.hashCode(groupBy);
    }

    @Override
    public String toString() {
        return "EndOfInput[last=" + last + ", unit=" + unit + (unitRows == null ? "" : ", unitRows="
                + Arrays.toString(unitRows)) + (groupBy == null ? "" : ", groupBy=" + Arrays.toString(groupBy)) + "]";
    }
}
