package io.extensa.engine.script;

import io.extensa.engine.sql.ast.ColumnDefinition;
import io.extensa.engine.types.DeclaredType;
import io.extensa.engine.types.Destination;
import io.extensa.engine.types.FieldBuffer;
import io.extensa.engine.types.OutputColumnPlan;
import io.extensa.engine.types.OutputTypes;
import io.extensa.engine.types.SessionSettings;
import io.extensa.engine.types.TsqlTypes;
import io.extensa.engine.types.TypeCatalog;
import io.extensa.engine.types.ValueEncoder;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.ColumnDescriptor;
import io.extensa.pgwire.intercept.DataRowWriter;
import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.batch.ColumnVector;
import io.extensa.protocol.message.ColumnSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The PostgreSQL shape of a script's output for a client: each column's name and type (the
 * natural type of what the script produced, or what WITH RESULT SETS declares) and how its
 * values become DataRow fields in the format the client asked for. Values of types only
 * PostgreSQL can check (an enum label, a domain's constraint) are cast by PostgreSQL, a batch
 * at a time.
 */
final class OutputColumns {

    private final List<OutputColumnPlan> plans;
    private final boolean[] notNull;
    private final ServerCasts casts;
    private final FieldBuffer field = new FieldBuffer();
    /** By format (0 text, 1 binary), then column: made on first use, then one per column for every row. */
    private final ValueEncoder[][] encoders;

    private OutputColumns(List<OutputColumnPlan> plans, boolean[] notNull, BackendChannel backend) {
        this.plans = plans;
        this.notNull = notNull;
        this.casts = plans.stream().anyMatch(OutputColumnPlan::needsServerCast) ? new ServerCasts(plans, backend) : null;
        this.encoders = new ValueEncoder[2][plans.size()];
    }

    private ValueEncoder encoder(int column, int format) {
        ValueEncoder encoder = encoders[format][column];
        if (encoder == null) {
            encoder = plans.get(column).encoder(format);
            encoders[format][column] = encoder;
        }
        return encoder;
    }

    int size() {
        return plans.size();
    }

    List<ColumnDescriptor> descriptors() {
        List<ColumnDescriptor> d = new ArrayList<>(plans.size());
        for (OutputColumnPlan p : plans) {
            d.add(ColumnDescriptor.of(p.columnName(), p.rowDescriptionOid(), p.rowDescriptionSize(),
                    p.rowDescriptionTypmod()));
        }
        return d;
    }

    /** Columns typed by what the script produced. */
    static OutputColumns natural(List<ColumnSpec> specs, TypeCatalog catalog, SessionSettings settings,
                                 BackendChannel backend) throws PgException {
        List<OutputColumnPlan> plans = new ArrayList<>();
        for (ColumnSpec spec : specs) {
            plans.add(OutputTypes.naturalPlan(spec.name(), spec, catalog, settings));
        }
        return new OutputColumns(plans, new boolean[specs.size()], backend);
    }

    /** Columns named and typed by WITH RESULT SETS; the counts must agree. */
    static OutputColumns declared(List<ColumnSpec> specs, List<ColumnDefinition> declared, BackendChannel backend,
                                  TypeCatalog catalog, SessionSettings settings, String language) throws PgException {
        if (declared.size() != specs.size()) {
            throw new PgException(SqlState.OUTPUT_MISMATCH, "WITH RESULT SETS declares " + declared.size()
                    + " column(s) but the " + language + " script returned " + specs.size() + " ("
                    + String.join(", ", specs.stream().map(ColumnSpec::name).toList()) + ")");
        }
        List<String> texts = new ArrayList<>();
        for (ColumnDefinition d : declared) {
            texts.add(TsqlTypes.toPostgres(d.type()));
        }
        List<DeclaredType> types;
        try {
            types = catalog.resolveDeclared(texts, backend);
        } catch (PgException e) {
            throw new PgException(e.fields().with('M', "invalid type in WITH RESULT SETS: " + e.getMessage()));
        }
        List<OutputColumnPlan> plans = new ArrayList<>();
        boolean[] notNull = new boolean[specs.size()];
        for (int i = 0; i < specs.size(); i++) {
            DeclaredType t = types.get(i);
            plans.add(OutputTypes.plan(declared.get(i).name(), specs.get(i), t.type(), t.typmod(), Destination.CLIENT,
                    catalog, settings));
            notNull[i] = Boolean.FALSE.equals(declared.get(i).nullable());
        }
        return new OutputColumns(plans, notNull, backend);
    }

    /**
     * Columns for a later unit of the same call whose script produced other types than the unit
     * that fixed the result's shape: its values are converted to that shape's types.
     */
    OutputColumns conforming(List<ColumnSpec> specs, TypeCatalog catalog, SessionSettings settings,
                             BackendChannel backend, String unit) throws PgException {
        if (specs.size() != plans.size()) {
            throw new PgException(SqlState.OUTPUT_MISMATCH, unit + " returned " + specs.size() + " column(s) ("
                    + String.join(", ", specs.stream().map(ColumnSpec::name).toList()) + ") but the result has "
                    + plans.size());
        }
        List<OutputColumnPlan> converted = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            OutputColumnPlan p = plans.get(i);
            try {
                converted.add(OutputTypes.plan(p.columnName(), specs.get(i), catalog.lookup(p.rowDescriptionOid()),
                        p.rowDescriptionTypmod(), Destination.CLIENT, catalog, settings));
            } catch (PgException e) {
                throw new PgException(e.fields().with('M', unit + ": " + e.getMessage()));
            }
        }
        return new OutputColumns(converted, notNull.clone(), backend);
    }

    /** Whether {@code specs} have the types these columns were planned for. */
    static boolean sameTypes(List<ColumnSpec> a, List<ColumnSpec> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            ColumnSpec x = a.get(i);
            ColumnSpec y = b.get(i);
            if (x.type() != y.type() || x.elementType() != y.elementType()
                    || !java.util.Objects.equals(x.pgType(), y.pgType())) {
                return false;
            }
        }
        return true;
    }

    /** Prepares a batch: PostgreSQL casts the values of the columns that need it. */
    void startBatch(Batch batch, long firstRowNumber, DataRowWriter out) throws PgException {
        if (batch.columnCount() != plans.size()) {
            throw new PgException(SqlState.SATELLITE_FAILED, "a batch has " + batch.columnCount()
                    + " columns, the schema " + plans.size());
        }
        if (casts != null) {
            casts.prepare(batch, firstRowNumber, out);
        }
    }

    /** Writes row {@code row} of the batch as one DataRow. */
    void writeRow(Batch batch, int row, long rowNumber, DataRowWriter out) throws PgException {
        out.beginRow(plans.size());
        for (int c = 0; c < plans.size(); c++) {
            ColumnVector vector = batch.column(c);
            boolean serverCast = casts != null && plans.get(c).needsServerCast();
            ValueEncoder encoder = serverCast ? null : encoder(c, out.format(c));
            if (serverCast ? casts.isNull(c, row) : ValueEncoder.isNull(encoder, vector, row)) {
                if (notNull[c]) {
                    throw new PgException(SqlState.OUTPUT_MISMATCH, "row " + rowNumber + " has NULL in column \""
                            + plans.get(c).columnName() + "\", which WITH RESULT SETS declares NOT NULL");
                }
                out.nullField();
                continue;
            }
            if (serverCast) {
                out.field(casts.value(c, row));
                continue;
            }
            field.clear();
            encoder.encode(vector, row, rowNumber, field);
            out.field(field.array(), 0, field.size());
        }
        out.endRow();
    }
}
