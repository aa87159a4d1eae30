package io.extensa.engine.sql;

/** Token kinds of the T-SQL subset Extensa understands. */
public enum TokenType {
    /** a bare or quoted identifier ("x", [x]); keywords are identifiers compared case-insensitively */
    IDENTIFIER,
    /** a quoted identifier, "x" or [x]: never a keyword */
    QUOTED_IDENTIFIER,
    /** @name */
    VARIABLE,
    /** 'text', N'text', E'text', $$text$$ */
    STRING,
    /** 12, 1.5, 1e-3, .5 */
    NUMBER,
    /** 0x0A1B */
    BINARY,
    /** $1 */
    PARAMETER,
    /** any other character or operator: , ( ) = ; . => :: + - * / ... */
    SYMBOL,
    END
}
