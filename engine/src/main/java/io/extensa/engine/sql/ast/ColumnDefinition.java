package io.extensa.engine.sql.ast;

/**
 * A column of WITH RESULT SETS: name, type as written (T-SQL or PostgreSQL), nullability
 * (null when not stated).
 */
public record ColumnDefinition(String name, String type, Boolean nullable) {
}
