package io.extensa.engine.sql.ast;

/** A value written as a procedure argument. */
public sealed interface Value {

    /** 'text', N'text', $$text$$ */
    record Text(String text) implements Value {
    }

    /** 42, -1.5e3 (kept as written, sign included) */
    record Number(String text) implements Value {
    }

    /** 0x0A1B as hex digits */
    record Binary(String hex) implements Value {
    }

    record Null() implements Value {
    }

    /** DEFAULT: the parameter's default, i.e. as if omitted */
    record Default() implements Value {
    }

    /** @name (stored without '@') */
    record Variable(String name) implements Value {
    }

    /** $n of the extended query protocol */
    record Parameter(int index) implements Value {
    }
}
