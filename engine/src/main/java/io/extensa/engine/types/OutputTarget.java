package io.extensa.engine.types;

import io.extensa.pgwire.PgException;

/**
 * A declared output type reduced to what encoding needs: the kind of value PostgreSQL expects,
 * the native type and modifier (a domain's base when the domain encodes as its base), the
 * element of an array, and for types only PostgreSQL can check ({@link Kind#SERVER}) the native
 * form the text is made from, if any.
 */
record OutputTarget(Kind kind, PgType type, int typmod, OutputTarget element, OutputTarget serverBase) {

    enum Kind {
        BOOL, INT2, INT4, INT8, OID, FLOAT4, FLOAT8, NUMERIC,
        TEXT, VARCHAR, BPCHAR, NAME, LABEL,
        BYTEA, DATE, TIMESTAMP, TIMESTAMPTZ, TIME, INTERVAL, UUID, JSON, JSONB,
        ARRAY,
        /** PostgreSQL parses the value's text: enums and domains for clients, and types Extensa does not encode */
        SERVER
    }

    static OutputTarget of(PgType type, int typmod, Destination destination, TypeCatalog catalog) throws PgException {
        if (type.isDomain()) {
            PgType base = catalog.require(type.baseOid());
            OutputTarget resolved = of(base, typmod >= 0 ? typmod : type.baseTypmod(), destination, catalog);
            if (destination == Destination.COPY) {
                // domain_recv checks the constraints after the base type's receive function
                return resolved;
            }
            return server(type, typmod, resolved.kind == Kind.SERVER ? resolved.serverBase : resolved);
        }
        if (type.isEnum()) {
            OutputTarget label = new OutputTarget(Kind.LABEL, type, -1, null, null);
            // enum_recv checks the label; for clients PostgreSQL must
            return destination == Destination.COPY ? label : server(type, typmod, label);
        }
        if (type.isArray()) {
            OutputTarget element = of(catalog.require(type.elementOid()), typmod, destination, catalog);
            if (element.kind == Kind.SERVER) {
                OutputTarget base = element.serverBase == null ? null
                        : new OutputTarget(Kind.ARRAY, type, typmod, element.serverBase, null);
                return server(type, typmod, base);
            }
            if (element.kind == Kind.ARRAY) {
                return server(type, typmod, null);
            }
            return new OutputTarget(Kind.ARRAY, type, typmod, element, null);
        }
        if (type.typtype() == PgType.BASE && type.typname().equals("citext")) {
            return simple(Kind.TEXT, type, -1);
        }
        Kind kind = switch (type.oid()) {
            case Oids.BOOL -> Kind.BOOL;
            case Oids.INT2 -> Kind.INT2;
            case Oids.INT4 -> Kind.INT4;
            case Oids.INT8 -> Kind.INT8;
            case Oids.OID -> Kind.OID;
            case Oids.FLOAT4 -> Kind.FLOAT4;
            case Oids.FLOAT8 -> Kind.FLOAT8;
            case Oids.NUMERIC -> Kind.NUMERIC;
            case Oids.TEXT -> Kind.TEXT;
            case Oids.VARCHAR -> Kind.VARCHAR;
            case Oids.BPCHAR -> Kind.BPCHAR;
            case Oids.NAME -> Kind.NAME;
            case Oids.BYTEA -> Kind.BYTEA;
            case Oids.DATE -> Kind.DATE;
            case Oids.TIMESTAMP -> Kind.TIMESTAMP;
            case Oids.TIMESTAMPTZ -> Kind.TIMESTAMPTZ;
            case Oids.TIME -> Kind.TIME;
            case Oids.INTERVAL -> Kind.INTERVAL;
            case Oids.UUID -> Kind.UUID;
            case Oids.JSON -> Kind.JSON;
            case Oids.JSONB -> Kind.JSONB;
            default -> Kind.SERVER;
        };
        return kind == Kind.SERVER ? server(type, typmod, null) : simple(kind, type, typmod);
    }

    private static OutputTarget simple(Kind kind, PgType type, int typmod) {
        return new OutputTarget(kind, type, typmod, null, null);
    }

    private static OutputTarget server(PgType type, int typmod, OutputTarget base) {
        return new OutputTarget(Kind.SERVER, type, typmod, null, base);
    }

    boolean isTextLike() {
        return switch (kind) {
            case TEXT, VARCHAR, BPCHAR, NAME, LABEL, JSON, JSONB, ARRAY, SERVER -> true;
            default -> false;
        };
    }
}
