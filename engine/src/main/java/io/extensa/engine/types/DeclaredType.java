package io.extensa.engine.types;

/**
 * A type as declared by the user (WITH RESULT SETS, DECLARE), resolved.
 *
 * @param text the PostgreSQL type text it was resolved from
 * @param type the type
 * @param typmod its modifier, -1 for none
 */
public record DeclaredType(String text, PgType type, int typmod) {
}
