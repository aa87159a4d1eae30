package io.extensa.engine.variables;

/**
 * A T-SQL session variable: its declared PostgreSQL type (OID, modifier and the type text for
 * casts) and its current value in PostgreSQL's binary format (null = NULL).
 */
public record Variable(String name, int typeOid, int typeModifier, String typeText, byte[] value) {

    public Variable withValue(byte[] newValue) {
        return new Variable(name, typeOid, typeModifier, typeText, newValue);
    }
}
