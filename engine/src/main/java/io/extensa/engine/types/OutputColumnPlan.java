package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.protocol.message.ColumnSpec;

/**
 * How one script column is written as its declared (or natural) PostgreSQL type. Made by
 * {@link OutputTypes#plan}; the mismatch check already happened then.
 *
 * <p>When {@link #needsServerCast()} is true, Extensa cannot produce or check the value itself
 * (an enum or domain sent to a client, inet, money, xml, a user type, text for an interval or
 * an array, or timestamptz text in a DateStyle other than ISO): {@link #encoder(int)} then
 * writes, in text format only, a text PostgreSQL must parse as {@link #castTarget()} — either
 * as the field of a {@code COPY ... FROM STDIN} in text format, or through a cast such as
 * {@code SELECT $1::castTarget}. PostgreSQL's error then names the problem.
 */
public final class OutputColumnPlan {

    private final String columnName;
    private final ColumnSpec source;
    private final PgType target;
    private final int targetTypmod;
    private final Destination destination;
    private final OutputTarget resolved;
    private final boolean serverCast;
    private final EncoderContext ctx;

    OutputColumnPlan(String columnName, ColumnSpec source, PgType target, int targetTypmod, Destination destination,
                     OutputTarget resolved, boolean serverCast, EncoderContext ctx) {
        this.columnName = columnName;
        this.source = source;
        this.target = target;
        this.targetTypmod = targetTypmod;
        this.destination = destination;
        this.resolved = resolved;
        this.serverCast = serverCast;
        this.ctx = serverCast ? ctx.serverSide() : ctx;
    }

    public String columnName() {
        return columnName;
    }

    public ColumnSpec source() {
        return source;
    }

    public PgType target() {
        return target;
    }

    public int targetTypmod() {
        return targetTypmod;
    }

    public Destination destination() {
        return destination;
    }

    /** Whether PostgreSQL must parse (and so check) the values; see the class comment. */
    public boolean needsServerCast() {
        return serverCast;
    }

    /** The declared type as a cast target that ignores search_path: {@code character varying(10)}, {@code "public"."mood"}. */
    public String castTarget() {
        if (target.isSystem() && (!target.isArray() || isSystemElement())) {
            return TypeNames.format(target, targetTypmod, ctx.catalog());
        }
        return target.qualifiedName();
    }

    private boolean isSystemElement() {
        PgType element = ctx.catalog().lookup(target.elementOid());
        return element != null && element.isSystem();
    }

    /** The type OID a RowDescription shows: like PostgreSQL, a domain's base type. */
    public int rowDescriptionOid() {
        return baseOf(target).oid();
    }

    /** The type size a RowDescription shows ({@code pg_type.typlen} of {@link #rowDescriptionOid()}). */
    public int rowDescriptionSize() {
        return baseOf(target).typlen();
    }

    /** The type modifier a RowDescription shows (a domain's base modifier when none was declared). */
    public int rowDescriptionTypmod() {
        if (targetTypmod >= 0 || !target.isDomain()) {
            return targetTypmod;
        }
        PgType t = target;
        while (t.isDomain()) {
            if (t.baseTypmod() >= 0) {
                return t.baseTypmod();
            }
            PgType base = ctx.catalog().lookup(t.baseOid());
            if (base == null) {
                return -1;
            }
            t = base;
        }
        return -1;
    }

    private PgType baseOf(PgType type) {
        PgType t = type;
        while (t.isDomain()) {
            PgType base = ctx.catalog().lookup(t.baseOid());
            if (base == null) {
                return t;
            }
            t = base;
        }
        return t;
    }

    /**
     * An encoder writing this column's values in the given format (0 text, 1 binary). Each call
     * makes a new encoder with its own scratch space.
     *
     * @throws IllegalArgumentException for binary format when {@link #needsServerCast()}
     */
    public ValueEncoder encoder(int format) {
        if (format != 0 && format != 1) {
            throw new IllegalArgumentException("format " + format);
        }
        if (serverCast && format != 0) {
            throw new IllegalArgumentException("column \"" + columnName + "\" needs a server cast: text format only");
        }
        return serverCast ? OutputEncoders.serverText(source, resolved, ctx)
                : OutputEncoders.build(source.type(), source.elementType(), resolved, format == 1, ctx);
    }

    @Override
    public String toString() {
        return "OutputColumnPlan[" + columnName + ": " + OutputTypes.describe(source) + " -> "
                + TypeNames.format(target, targetTypmod, ctx.catalog()) + (serverCast ? ", server cast" : "") + "]";
    }
}
