package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.BindValue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The types of one database: the built-in ones known statically, the others (enums, domains,
 * arrays over them, extension types) loaded on demand from {@code pg_type} and cached. One
 * instance serves every session of a database; it is thread-safe.
 *
 * <p>Type OIDs are never reused while a type exists, so cached rows stay right; a type renamed
 * later keeps its old display name here until {@link #invalidate()}, which only affects messages
 * and the {@code pg_type} text handed to scripts.
 */
public final class TypeCatalog {

    private static final Map<Integer, PgType> BUILT_IN = builtInTypes();

    /**
     * The requested types plus everything their element and base links reach (a domain over an
     * array of an enum needs all three), with the columns of {@link PgType}. Text results.
     */
    static final String RESOLVE_QUERY = """
            WITH RECURSIVE wanted(oid) AS (
                SELECT pg_catalog.unnest($1::pg_catalog.oid[])
              UNION
                SELECT x.oid
                  FROM wanted w
                  JOIN pg_catalog.pg_type t ON t.oid = w.oid
                 CROSS JOIN LATERAL (VALUES (t.typelem), (t.typbasetype)) AS x(oid)
                 WHERE x.oid <> 0
            )
            SELECT t.oid, pg_catalog.format_type(t.oid, NULL), t.typtype, t.typcategory, t.typelem,
                   t.typbasetype, t.typarray, t.typlen, t.typname, n.nspname, t.typtypmod
              FROM wanted w
              JOIN pg_catalog.pg_type t ON t.oid = w.oid
              JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace""";

    private final ConcurrentHashMap<Integer, PgType> loaded = new ConcurrentHashMap<>();

    /** The built-in type with this OID, or null. */
    public static PgType builtIn(int oid) {
        return BUILT_IN.get(oid);
    }

    /** A type known to this catalog (built in or loaded), or null. */
    public PgType lookup(int oid) {
        PgType type = BUILT_IN.get(oid);
        return type != null ? type : loaded.get(oid);
    }

    /** Like {@link #lookup} but fails when the type was never resolved. */
    public PgType require(int oid) throws PgException {
        PgType type = lookup(oid);
        if (type == null) {
            throw new PgException(SqlState.UNDEFINED_OBJECT, "type with OID " + oid + " does not exist");
        }
        return type;
    }

    /** Whether the type and everything it is built on are known. */
    public boolean isResolved(int oid) {
        PgType type = lookup(oid);
        if (type == null) {
            return false;
        }
        if (type.elementOid() != 0 && !isResolved(type.elementOid())) {
            return false;
        }
        return type.baseOid() == 0 || isResolved(type.baseOid());
    }

    /**
     * Makes every OID known, loading the unknown ones (with their element and base types) with
     * one query on the caller's connection; does nothing when all are known.
     *
     * @throws PgException from PostgreSQL, or UNDEFINED_OBJECT when an OID names no type
     */
    public void resolve(int[] oids, BackendChannel backend) throws PgException {
        List<Integer> missing = new ArrayList<>();
        for (int oid : oids) {
            if (!isResolved(oid) && !missing.contains(oid)) {
                missing.add(oid);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        StringBuilder array = new StringBuilder("{");
        for (int i = 0; i < missing.size(); i++) {
            array.append(i == 0 ? "" : ",").append(Integer.toUnsignedString(missing.get(i)));
        }
        array.append('}');
        Map<Integer, PgType> rows = new HashMap<>();
        backend.execute(RESOLVE_QUERY, List.of(BindValue.text(Oids.OID_ARRAY, array.toString())), 0, body -> {
            PgType type = parseRow(body);
            rows.put(type.oid(), type);
        });
        rows.forEach((oid, type) -> {
            if (!BUILT_IN.containsKey(oid)) {
                loaded.put(oid, type);
            }
        });
        for (int oid : missing) {
            require(oid);
        }
    }

    /**
     * Resolves declared type texts (PostgreSQL spellings; see {@link TsqlTypes#toPostgres} for
     * SQL Server's) to types and modifiers. Built-in types are read locally; the others cost one
     * query for their OIDs (PostgreSQL's regtype input, so search_path applies and an unknown
     * name fails with PostgreSQL's own error) plus, for types not yet known, one {@link #resolve}.
     * Modifiers of non-built-in types are not read (-1).
     */
    public List<DeclaredType> resolveDeclared(List<String> typeTexts, BackendChannel backend) throws PgException {
        DeclaredType[] result = new DeclaredType[typeTexts.size()];
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < result.length; i++) {
            result[i] = TypeNameParser.parse(typeTexts.get(i));
            if (result[i] == null) {
                pending.add(i);
            }
        }
        if (!pending.isEmpty()) {
            StringBuilder array = new StringBuilder("{");
            for (int k = 0; k < pending.size(); k++) {
                String text = typeTexts.get(pending.get(k));
                array.append(k == 0 ? "" : ",").append('"')
                        .append(text.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            array.append('}');
            List<Integer> oids = new ArrayList<>();
            backend.execute(NAMES_QUERY, List.of(BindValue.text(Oids.TEXT_ARRAY, array.toString())), 0,
                    body -> oids.add(Integer.parseUnsignedInt(firstTextField(body))));
            if (oids.size() != pending.size()) {
                throw new PgException(SqlState.PROTOCOL_VIOLATION, "type lookup returned " + oids.size() + " rows for "
                        + pending.size() + " names");
            }
            resolve(oids.stream().mapToInt(Integer::intValue).toArray(), backend);
            for (int k = 0; k < pending.size(); k++) {
                int i = pending.get(k);
                result[i] = new DeclaredType(typeTexts.get(i).strip(), require(oids.get(k)), -1);
            }
        }
        return List.of(result);
    }

    /** The built-in type a type text names, or null when it names another (see {@link #resolveDeclared}). */
    public static DeclaredType parseBuiltIn(String typeText) {
        return TypeNameParser.parse(typeText);
    }

    static final String NAMES_QUERY = "SELECT u.x::pg_catalog.regtype::pg_catalog.oid"
            + " FROM pg_catalog.unnest($1::pg_catalog.text[]) WITH ORDINALITY AS u(x, i) ORDER BY u.i";

    private static String firstTextField(ByteBuffer body) {
        ByteBuffer in = body.duplicate().order(java.nio.ByteOrder.BIG_ENDIAN);
        in.getShort();
        int length = in.getInt();
        byte[] bytes = new byte[Math.max(length, 0)];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Adds a type row directly (tests, or a caller that read pg_type itself). */
    public void add(PgType type) {
        if (!BUILT_IN.containsKey(type.oid())) {
            loaded.put(type.oid(), type);
        }
    }

    /** Forgets every loaded type; the next {@link #resolve} reads them again. */
    public void invalidate() {
        loaded.clear();
    }

    /** One DataRow of {@link #RESOLVE_QUERY} in text format: int16 count, (int32 length, bytes)*. */
    static PgType parseRow(ByteBuffer body) throws PgException {
        ByteBuffer in = body.duplicate().order(java.nio.ByteOrder.BIG_ENDIAN);
        int count = in.getShort() & 0xFFFF;
        if (count != 11) {
            throw new PgException(SqlState.PROTOCOL_VIOLATION, "pg_type lookup returned " + count + " columns");
        }
        String[] v = new String[count];
        for (int i = 0; i < count; i++) {
            int length = in.getInt();
            if (length < 0) {
                v[i] = null;
                continue;
            }
            byte[] bytes = new byte[length];
            in.get(bytes);
            v[i] = new String(bytes, StandardCharsets.UTF_8);
        }
        return new PgType(Integer.parseUnsignedInt(v[0]), v[1], v[2].charAt(0), v[3].charAt(0),
                Integer.parseUnsignedInt(v[4]), Integer.parseUnsignedInt(v[5]), Integer.parseUnsignedInt(v[6]),
                Integer.parseInt(v[7]), v[8], v[9], Integer.parseInt(v[10]));
    }

    private static Map<Integer, PgType> builtInTypes() {
        Map<Integer, PgType> types = new HashMap<>();
        // oid, typname, format_type, typtype, typcategory, typelem, typarray, typlen (PostgreSQL 15 pg_type)
        base(types, 16, "bool", "boolean", 'b', 'B', 0, 1000, 1);
        base(types, 17, "bytea", "bytea", 'b', 'U', 0, 1001, -1);
        base(types, 18, "char", "\"char\"", 'b', 'Z', 0, 1002, 1);
        base(types, 19, "name", "name", 'b', 'S', 18, 1003, 64);
        base(types, 20, "int8", "bigint", 'b', 'N', 0, 1016, 8);
        base(types, 21, "int2", "smallint", 'b', 'N', 0, 1005, 2);
        base(types, 22, "int2vector", "int2vector", 'b', 'A', 21, 1006, -1);
        base(types, 23, "int4", "integer", 'b', 'N', 0, 1007, 4);
        base(types, 24, "regproc", "regproc", 'b', 'N', 0, 1008, 4);
        base(types, 25, "text", "text", 'b', 'S', 0, 1009, -1);
        base(types, 26, "oid", "oid", 'b', 'N', 0, 1028, 4);
        base(types, 27, "tid", "tid", 'b', 'U', 0, 1010, 6);
        base(types, 28, "xid", "xid", 'b', 'U', 0, 1011, 4);
        base(types, 29, "cid", "cid", 'b', 'U', 0, 1012, 4);
        base(types, 30, "oidvector", "oidvector", 'b', 'A', 26, 1013, -1);
        base(types, 114, "json", "json", 'b', 'U', 0, 199, -1);
        base(types, 142, "xml", "xml", 'b', 'U', 0, 143, -1);
        base(types, 600, "point", "point", 'b', 'G', 701, 1017, 16);
        base(types, 601, "lseg", "lseg", 'b', 'G', 600, 1018, 32);
        base(types, 602, "path", "path", 'b', 'G', 0, 1019, -1);
        base(types, 603, "box", "box", 'b', 'G', 600, 1020, 32);
        base(types, 604, "polygon", "polygon", 'b', 'G', 0, 1027, -1);
        base(types, 628, "line", "line", 'b', 'G', 701, 629, 24);
        base(types, 650, "cidr", "cidr", 'b', 'I', 0, 651, -1);
        base(types, 700, "float4", "real", 'b', 'N', 0, 1021, 4);
        base(types, 701, "float8", "double precision", 'b', 'N', 0, 1022, 8);
        base(types, 705, "unknown", "unknown", 'p', 'X', 0, 0, -2);
        base(types, 718, "circle", "circle", 'b', 'G', 0, 719, 24);
        base(types, 774, "macaddr8", "macaddr8", 'b', 'U', 0, 775, 8);
        base(types, 790, "money", "money", 'b', 'N', 0, 791, 8);
        base(types, 829, "macaddr", "macaddr", 'b', 'U', 0, 1040, 6);
        base(types, 869, "inet", "inet", 'b', 'I', 0, 1041, -1);
        base(types, 1033, "aclitem", "aclitem", 'b', 'U', 0, 1034, 12);
        base(types, 1042, "bpchar", "character", 'b', 'S', 0, 1014, -1);
        base(types, 1043, "varchar", "character varying", 'b', 'S', 0, 1015, -1);
        base(types, 1082, "date", "date", 'b', 'D', 0, 1182, 4);
        base(types, 1083, "time", "time without time zone", 'b', 'D', 0, 1183, 8);
        base(types, 1114, "timestamp", "timestamp without time zone", 'b', 'D', 0, 1115, 8);
        base(types, 1184, "timestamptz", "timestamp with time zone", 'b', 'D', 0, 1185, 8);
        base(types, 1186, "interval", "interval", 'b', 'T', 0, 1187, 16);
        base(types, 1266, "timetz", "time with time zone", 'b', 'D', 0, 1270, 12);
        base(types, 1560, "bit", "bit", 'b', 'V', 0, 1561, -1);
        base(types, 1562, "varbit", "bit varying", 'b', 'V', 0, 1563, -1);
        base(types, 1700, "numeric", "numeric", 'b', 'N', 0, 1231, -1);
        base(types, 1790, "refcursor", "refcursor", 'b', 'U', 0, 2201, -1);
        base(types, 2202, "regprocedure", "regprocedure", 'b', 'N', 0, 2207, 4);
        base(types, 2203, "regoper", "regoper", 'b', 'N', 0, 2208, 4);
        base(types, 2204, "regoperator", "regoperator", 'b', 'N', 0, 2209, 4);
        base(types, 2205, "regclass", "regclass", 'b', 'N', 0, 2210, 4);
        base(types, 2206, "regtype", "regtype", 'b', 'N', 0, 2211, 4);
        base(types, 2249, "record", "record", 'p', 'P', 0, 2287, -1);
        base(types, 2278, "void", "void", 'p', 'P', 0, 0, 4);
        base(types, 2950, "uuid", "uuid", 'b', 'U', 0, 2951, 16);
        base(types, 2970, "txid_snapshot", "txid_snapshot", 'b', 'U', 0, 2949, -1);
        base(types, 3220, "pg_lsn", "pg_lsn", 'b', 'U', 0, 3221, 8);
        base(types, 3614, "tsvector", "tsvector", 'b', 'U', 0, 3643, -1);
        base(types, 3615, "tsquery", "tsquery", 'b', 'U', 0, 3645, -1);
        base(types, 3734, "regconfig", "regconfig", 'b', 'N', 0, 3735, 4);
        base(types, 3769, "regdictionary", "regdictionary", 'b', 'N', 0, 3770, 4);
        base(types, 3802, "jsonb", "jsonb", 'b', 'U', 0, 3807, -1);
        base(types, 3904, "int4range", "int4range", 'r', 'R', 0, 3905, -1);
        base(types, 3906, "numrange", "numrange", 'r', 'R', 0, 3907, -1);
        base(types, 3908, "tsrange", "tsrange", 'r', 'R', 0, 3909, -1);
        base(types, 3910, "tstzrange", "tstzrange", 'r', 'R', 0, 3911, -1);
        base(types, 3912, "daterange", "daterange", 'r', 'R', 0, 3913, -1);
        base(types, 3926, "int8range", "int8range", 'r', 'R', 0, 3927, -1);
        base(types, 4072, "jsonpath", "jsonpath", 'b', 'U', 0, 4073, -1);
        base(types, 4089, "regnamespace", "regnamespace", 'b', 'N', 0, 4090, 4);
        base(types, 4096, "regrole", "regrole", 'b', 'N', 0, 4097, 4);
        base(types, 4191, "regcollation", "regcollation", 'b', 'N', 0, 4192, 4);
        base(types, 4451, "int4multirange", "int4multirange", 'm', 'R', 0, 6150, -1);
        base(types, 4532, "nummultirange", "nummultirange", 'm', 'R', 0, 6151, -1);
        base(types, 4533, "tsmultirange", "tsmultirange", 'm', 'R', 0, 6152, -1);
        base(types, 4534, "tstzmultirange", "tstzmultirange", 'm', 'R', 0, 6153, -1);
        base(types, 4535, "datemultirange", "datemultirange", 'm', 'R', 0, 6155, -1);
        base(types, 4536, "int8multirange", "int8multirange", 'm', 'R', 0, 6157, -1);
        base(types, 5038, "pg_snapshot", "pg_snapshot", 'b', 'U', 0, 5039, -1);
        base(types, 5069, "xid8", "xid8", 'b', 'U', 0, 271, 8);
        return Map.copyOf(types);
    }

    private static void base(Map<Integer, PgType> types, int oid, String typname, String name, char typtype,
                             char category, int elementOid, int arrayOid, int typlen) {
        types.put(oid, new PgType(oid, name, typtype, category, elementOid, 0, arrayOid, typlen, typname,
                "pg_catalog", -1));
        if (arrayOid != 0) {
            // record[] is a pseudo-type like record itself
            boolean pseudo = typtype == PgType.PSEUDO;
            types.put(arrayOid, new PgType(arrayOid, name + "[]", pseudo ? 'p' : 'b', pseudo ? 'P' : 'A', oid, 0, 0,
                    -1, "_" + typname, "pg_catalog", -1));
        }
    }
}
