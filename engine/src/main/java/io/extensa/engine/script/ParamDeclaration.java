package io.extensa.engine.script;

/**
 * One entry of {@code @params}: {@code @name type [OUTPUT]}.
 *
 * @param name     without '@'
 * @param typeText the PostgreSQL type to cast to (T-SQL names already translated)
 */
public record ParamDeclaration(String name, String typeText, boolean output) {
}
