package io.extensa.engine.types;

import java.util.Objects;

/**
 * A row of {@code pg_type}, as much of it as type mapping needs.
 *
 * @param oid the type's OID
 * @param name {@code format_type(oid, NULL)}: {@code integer}, {@code character varying}, {@code mood},
 *             {@code integer[]}, {@code "char"}, or schema-qualified when not on the search path
 * @param typtype b base, e enum, d domain, c composite, r range, m multirange, p pseudo
 * @param category {@code typcategory}: N numeric, S string, D date/time, A array, U user, ...
 * @param elementOid the element type of an array type, 0 otherwise
 * @param baseOid the base type of a domain, 0 otherwise
 * @param arrayOid the array type over this type, 0 when there is none
 * @param typlen bytes of a fixed-width type, -1 varlena, -2 C string
 * @param typname the bare {@code typname} ({@code int4}, {@code _int4}, {@code citext}), for extension types
 *                recognized by name
 * @param namespace the schema, e.g. {@code pg_catalog}
 * @param baseTypmod a domain's {@code typtypmod} (the modifier of its base type), -1 otherwise
 */
public record PgType(int oid, String name, char typtype, char category, int elementOid, int baseOid, int arrayOid,
                     int typlen, String typname, String namespace, int baseTypmod) {

    public static final char BASE = 'b';
    public static final char ENUM = 'e';
    public static final char DOMAIN = 'd';
    public static final char COMPOSITE = 'c';
    public static final char RANGE = 'r';
    public static final char MULTIRANGE = 'm';
    public static final char PSEUDO = 'p';

    public PgType {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(typname, "typname");
        Objects.requireNonNull(namespace, "namespace");
    }

    /**
     * A true array type. int2vector and oidvector also have an element type and category A but
     * are varlena vectors with their own semantics; name and point have an element type too but
     * are fixed-width.
     */
    public boolean isArray() {
        return elementOid != 0 && category == 'A' && typlen == -1
                && oid != Oids.INT2VECTOR && oid != Oids.OIDVECTOR;
    }

    public boolean isDomain() {
        return typtype == DOMAIN;
    }

    public boolean isEnum() {
        return typtype == ENUM;
    }

    /** Whether the type lives in pg_catalog (built in, or an extension installed there). */
    public boolean isSystem() {
        return namespace.equals("pg_catalog");
    }

    /**
     * The name to write in a cast that must mean this type whatever the session's search_path:
     * {@code format_type} spelling for pg_catalog types, {@code "schema"."typname"} otherwise.
     */
    public String qualifiedName() {
        if (isSystem()) {
            return name;
        }
        return quoteIdentifier(namespace) + "." + quoteIdentifier(typname);
    }

    @Override
    public String toString() {
        return name + "(" + oid + ")";
    }

    static String quoteIdentifier(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
