package io.extensa.engine.script;

import io.extensa.engine.types.FieldBuffer;
import io.extensa.engine.types.OutputTypes;
import io.extensa.engine.types.PgType;
import io.extensa.engine.types.SessionSettings;
import io.extensa.engine.types.TypeCatalog;
import io.extensa.engine.variables.SessionVariables;
import io.extensa.engine.variables.Variable;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.BindValue;
import io.extensa.pgwire.intercept.ColumnDescriptor;
import io.extensa.pgwire.intercept.DataRowWriter;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.message.ColumnSpec;
import io.extensa.protocol.message.OutputParam;
import io.extensa.protocol.message.OutputParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * OUTPUT parameters after the script. Each value, typed by what the script left in its variable,
 * is cast by PostgreSQL to the declared type (and on to the receiving variable's type):
 * {@code SELECT ($1::bytea)::bytea, ...}. Values with a variable to go to are assigned at once;
 * the others form a last one-row result, fetched in the client's own formats.
 */
final class OutputParameters {

    /** The one-row result of OUTPUT parameters that had no variable to go to. */
    static final class Row {
        private final BackendChannel backend;
        private final List<ColumnDescriptor> columns;
        private final String sql;
        private final List<BindValue> binds;

        Row(BackendChannel backend, List<ColumnDescriptor> columns, String sql, List<BindValue> binds) {
            this.backend = backend;
            this.columns = columns;
            this.sql = sql;
            this.binds = binds;
        }

        List<ColumnDescriptor> columns() {
            return columns;
        }

        void write(DataRowWriter out) throws PgException {
            short[] formats = new short[columns.size()];
            for (int i = 0; i < formats.length; i++) {
                formats[i] = (short) out.format(i);
            }
            backend.execute(sql, binds, formats, row -> {
                int n = row.getShort();
                out.beginRow(n);
                for (int i = 0; i < n; i++) {
                    int len = row.getInt();
                    if (len < 0) {
                        out.nullField();
                    } else {
                        out.field(row.slice(row.position(), len));
                        row.position(row.position() + len);
                    }
                }
                out.endRow();
            });
        }
    }

    private OutputParameters() {
    }

    /** @return the row of untargeted OUTPUT parameters, or null when every one went to a variable (or none exist) */
    static Row apply(OutputParams received, List<ScriptParameters.Resolved> params, ScriptCall call,
                     SessionVariables variables, BackendChannel backend, TypeCatalog catalog,
                     SessionSettings settings) throws PgException {
        Map<String, OutputParam> byName = new HashMap<>();
        for (OutputParam p : received.params()) {
            byName.put(p.name().toLowerCase(Locale.ROOT), p);
        }
        List<String> targeted = new ArrayList<>();
        List<String> untargeted = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        List<ColumnDescriptor> columns = new ArrayList<>();
        List<BindValue> binds = new ArrayList<>();
        FieldBuffer field = new FieldBuffer();
        for (ScriptParameters.Resolved p : params) {
            if (!p.declaration().output()) {
                continue;
            }
            String key = p.declaration().name().toLowerCase(Locale.ROOT);
            OutputParam value = byName.get(key);
            String expression;
            if (value == null || value.value().isNull(0)) {
                expression = "NULL::" + p.declaration().typeText();
            } else {
                ColumnSpec spec = specOf(value);
                PgType natural = OutputTypes.naturalType(spec, catalog);
                field.clear();
                OutputTypes.encoder(p.declaration().name(), spec, natural, -1, 1, settings)
                        .encode(value.value(), 0, 1, field);
                binds.add(new BindValue(natural.oid(), 1, Arrays.copyOf(field.array(), field.size())));
                expression = "$" + binds.size() + "::" + p.declaration().typeText();
            }
            String target = call.outputTargets().get(key);
            if (target != null) {
                Variable v = variables.get(target).orElseThrow(() -> ScriptCallBinder.undeclared(target));
                targeted.add("(" + expression + ")::" + v.typeText());
                targets.add(target);
            } else {
                untargeted.add(expression + " AS " + ScriptParameters.quote(p.declaration().name()));
                columns.add(ColumnDescriptor.of(p.declaration().name(), p.type().oid(), p.type().typlen(),
                        p.typeModifier()));
            }
        }
        if (!targeted.isEmpty()) {
            byte[][] results = new byte[targeted.size()][];
            backend.execute("SELECT " + String.join(", ", targeted), binds, 1, row -> {
                int n = row.getShort();
                for (int i = 0; i < n; i++) {
                    int len = row.getInt();
                    if (len >= 0) {
                        results[i] = new byte[len];
                        row.get(results[i]);
                    }
                }
            });
            for (int i = 0; i < targets.size(); i++) {
                variables.assign(targets.get(i), results[i]);
            }
        }
        if (untargeted.isEmpty()) {
            return null;
        }
        return new Row(backend, columns, "SELECT " + String.join(", ", untargeted), binds);
    }

    private static ColumnSpec specOf(OutputParam p) {
        ColumnType element = p.type() == ColumnType.ARRAY ? p.value().child().type() : null;
        return new ColumnSpec(p.name(), p.type(), p.pgType(), element);
    }

}
