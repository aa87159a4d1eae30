package io.extensa.pgwire.intercept;

/** One field of a RowDescription. Format codes are filled in by the gateway from Bind. */
public record ColumnDescriptor(String name, int tableOid, int columnNumber, int typeOid, int typeSize,
                               int typeModifier) {

    public static ColumnDescriptor of(String name, int typeOid, int typeSize, int typeModifier) {
        return new ColumnDescriptor(name, 0, 0, typeOid, typeSize, typeModifier);
    }
}
