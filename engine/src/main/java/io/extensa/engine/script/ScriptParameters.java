package io.extensa.engine.script;

import io.extensa.engine.sql.ast.Value;
import io.extensa.engine.types.InputColumnPlan;
import io.extensa.engine.types.PgType;
import io.extensa.engine.types.TypeCatalog;
import io.extensa.engine.types.InputTypes;
import io.extensa.engine.variables.SessionVariables;
import io.extensa.engine.variables.Variable;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.BindValue;
import io.extensa.pgwire.intercept.ColumnDescriptor;
import io.extensa.pgwire.intercept.StatementDescription;
import io.extensa.protocol.batch.ColumnBuilder;
import io.extensa.protocol.message.Param;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The script's own parameters (declared in @params). Their values are cast to the declared
 * types by PostgreSQL itself, in one round trip on the caller's connection, so every type and
 * every conversion behaves exactly as it would in SQL: {@code SELECT $1::integer, NULL::bytea, ...}.
 */
final class ScriptParameters {

    private static final int BYTEA = 17;
    private static final int TEXT = 25;

    /** A declared parameter with its PostgreSQL type and its value as the satellite receives it. */
    record Resolved(ParamDeclaration declaration, PgType type, int typeModifier, InputColumnPlan plan, Param wire) {
    }

    private ScriptParameters() {
    }

    static List<Resolved> resolve(ScriptCall call, BackendChannel backend, SessionVariables variables,
                                  List<BindValue> bound, TypeCatalog catalog) throws PgException {
        List<ParamDeclaration> declarations = call.parameters();
        if (declarations.isEmpty()) {
            return List.of();
        }
        StringBuilder select = new StringBuilder("SELECT ");
        List<BindValue> binds = new ArrayList<>();
        int[] starts = new int[declarations.size()];
        for (int i = 0; i < declarations.size(); i++) {
            ParamDeclaration d = declarations.get(i);
            if (i > 0) {
                select.append(", ");
            }
            Value v = call.parameterValues().get(d.name().toLowerCase(Locale.ROOT));
            BindValue bind = bindOf(v, variables, bound);
            if (bind != null) {
                binds.add(bind);
            }
            starts[i] = select.length();
            select.append(expression(d, v, bind, binds.size())).append(" AS ").append(quote(d.name()));
        }
        String sql = select.toString();
        int[] bindTypes = binds.stream().mapToInt(BindValue::typeOid).toArray();
        StatementDescription description;
        try {
            description = backend.describe(sql, bindTypes);
        } catch (PgException e) {
            throw culprit(e, "invalid @params declaration or value", declarations, starts);
        }
        List<ColumnDescriptor> columns = description.columns();
        catalog.resolve(columns.stream().mapToInt(ColumnDescriptor::typeOid).toArray(), backend);
        List<InputColumnPlan> plans = new ArrayList<>();
        List<ColumnBuilder> builders = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            ColumnDescriptor c = columns.get(i);
            InputColumnPlan plan = InputTypes.plan(declarations.get(i).name(), catalog.lookup(c.typeOid()),
                    c.typeModifier(), catalog);
            plans.add(plan);
            builders.add(plan.newBuilder());
        }
        try {
            backend.execute(sql, binds, 1, row -> decodeRow(row, plans, builders));
        } catch (PgException e) {
            throw culprit(e, "a script parameter value does not fit its declared type", declarations, starts);
        }
        List<Resolved> resolved = new ArrayList<>();
        for (int i = 0; i < declarations.size(); i++) {
            ParamDeclaration d = declarations.get(i);
            InputColumnPlan plan = plans.get(i);
            ColumnDescriptor c = columns.get(i);
            Param wire = new Param(d.name(), plan.spec().type(), plan.spec().pgType(), d.output(),
                    builders.get(i).build());
            resolved.add(new Resolved(d, catalog.lookup(c.typeOid()), c.typeModifier(), plan, wire));
        }
        return resolved;
    }

    /** The parameter's value cast to its declared type, its bind (if any) being {@code $placeholder}. */
    private static String expression(ParamDeclaration d, Value v, BindValue bind, int placeholder) {
        if (bind == null) {
            return "NULL::" + d.typeText();
        }
        String p = "$" + placeholder;
        if (v instanceof Value.Number && !d.typeText().equalsIgnoreCase("boolean")) {
            p = "(" + p + "::numeric)";
        } else if (v instanceof Value.Number) {
            p = "(" + p + "::integer)";
        }
        return p + "::" + d.typeText();
    }

    /**
     * The error of the one SELECT that evaluates every parameter, naming the parameter at fault
     * where that is known: the only one, or the one whose expression PostgreSQL's position falls
     * in. The position points into that SELECT, not into the client's text, so it goes.
     */
    private static PgException culprit(PgException e, String summary, List<ParamDeclaration> declarations,
                                       int[] starts) {
        String position = e.fields().values().get('P');
        int at = -1;
        if (declarations.size() == 1) {
            at = 0;
        } else if (position != null) {
            int offset = Integer.parseInt(position) - 1;
            for (int i = 0; i < starts.length && starts[i] <= offset; i++) {
                at = i;
            }
        }
        String prefix = at < 0 ? summary : "@" + declarations.get(at).name() + " " + declarations.get(at).typeText();
        return new PgException(e.fields().with('P', null).with('M', prefix + ": " + e.getMessage()));
    }

    /** DataRow body: int16 count, then per field int32 length (-1 NULL) and bytes. */
    private static void decodeRow(ByteBuffer row, List<InputColumnPlan> plans, List<ColumnBuilder> builders)
            throws PgException {
        int n = row.getShort();
        for (int i = 0; i < n; i++) {
            int len = row.getInt();
            if (len < 0) {
                builders.get(i).appendNull();
            } else {
                ByteBuffer value = row.slice(row.position(), len);
                row.position(row.position() + len);
                plans.get(i).decoder().decode(value, builders.get(i));
            }
        }
    }

    /** How an argument travels as a bind value, or null for NULL. */
    private static BindValue bindOf(Value v, SessionVariables variables, List<BindValue> bound) throws PgException {
        if (v == null) {
            return null;
        }
        return switch (v) {
            case Value.Null n -> null;
            case Value.Default d -> null;
            case Value.Text t -> new BindValue(TEXT, 0, t.text().getBytes(StandardCharsets.UTF_8));
            case Value.Number n -> new BindValue(TEXT, 0, n.text().getBytes(StandardCharsets.UTF_8));
            case Value.Binary b -> new BindValue(BYTEA, 1, hex(b.hex()));
            case Value.Variable var -> {
                Variable variable = variables.get(var.name())
                        .orElseThrow(() -> ScriptCallBinder.undeclared(var.name()));
                yield variable.value() == null ? null : new BindValue(variable.typeOid(), 1, variable.value());
            }
            case Value.Parameter p -> {
                BindValue b = bound.get(p.index() - 1);
                yield b.value() == null ? null : new BindValue(b.typeOid() == 0 ? TEXT : b.typeOid(), b.format(),
                        b.value());
            }
        };
    }

    private static byte[] hex(String digits) throws PgException {
        String even = digits.length() % 2 == 0 ? digits : "0" + digits;
        try {
            return HexFormat.of().parseHex(even);
        } catch (IllegalArgumentException e) {
            throw new PgException(SqlState.INVALID_TEXT_REPRESENTATION, "invalid binary literal 0x" + digits);
        }
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
