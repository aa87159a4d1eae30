package io.extensa.engine.sql.ast;

/**
 * One argument of EXEC or CALL: {@code @name = value [OUTPUT]} or a positional value.
 *
 * @param name   the parameter name without '@', or null when positional
 * @param output marked OUTPUT / OUT
 */
public record Argument(String name, Value value, boolean output) {
}
