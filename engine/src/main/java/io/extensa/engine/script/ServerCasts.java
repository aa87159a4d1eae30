package io.extensa.engine.script;

import io.extensa.engine.types.FieldBuffer;
import io.extensa.engine.types.OutputColumnPlan;
import io.extensa.engine.types.ValueEncoder;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.BindValue;
import io.extensa.pgwire.intercept.DataRowWriter;
import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.batch.ColumnVector;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Output values whose declared type only PostgreSQL can check (enum labels, domain constraints,
 * types Extensa does not encode): a batch's values go to PostgreSQL as one text[] and come back
 * cast, in the client's format: {@code SELECT x::type FROM unnest($1) WITH ORDINALITY ...}.
 */
final class ServerCasts {

    private static final int TEXT_ARRAY = 1009;
    private static final int TEXT = 25;

    private final List<OutputColumnPlan> plans;
    private final BackendChannel backend;
    private final byte[][][] values;
    private final FieldBuffer text = new FieldBuffer();

    ServerCasts(List<OutputColumnPlan> plans, BackendChannel backend) {
        this.plans = plans;
        this.backend = backend;
        this.values = new byte[plans.size()][][];
    }

    void prepare(Batch batch, long firstRowNumber, DataRowWriter out) throws PgException {
        for (int c = 0; c < plans.size(); c++) {
            OutputColumnPlan plan = plans.get(c);
            if (!plan.needsServerCast()) {
                continue;
            }
            ColumnVector column = batch.column(c);
            byte[] array = textArray(column, plan, firstRowNumber);
            byte[][] cast = new byte[batch.rowCount()][];
            int[] next = {0};
            String sql = "SELECT u.x::" + plan.castTarget()
                    + " FROM pg_catalog.unnest($1::pg_catalog.text[]) WITH ORDINALITY AS u(x, i) ORDER BY u.i";
            try {
                backend.execute(sql, List.of(new BindValue(TEXT_ARRAY, 1, array)),
                        new short[] {(short) out.format(c)}, row -> {
                            row.getShort();
                            int len = row.getInt();
                            if (len >= 0) {
                                byte[] v = new byte[len];
                                row.get(v);
                                cast[next[0]] = v;
                            }
                            next[0]++;
                        });
            } catch (PgException e) {
                throw new PgException(e.fields().with('M', "column \"" + plan.columnName() + "\": " + e.getMessage()));
            }
            values[c] = cast;
        }
    }

    /** NULL after the cast: the value was NULL, or its encoder turned it into NULL (a NaN for an integer). */
    boolean isNull(int column, int row) {
        return values[column][row] == null;
    }

    ByteBuffer value(int column, int row) {
        return ByteBuffer.wrap(values[column][row]);
    }

    /** PostgreSQL's binary array: ndim 1, has-nulls flag, element oid, size, lower bound 1, then the elements. */
    private byte[] textArray(ColumnVector column, OutputColumnPlan plan, long firstRowNumber) throws PgException {
        FieldBuffer out = new FieldBuffer();
        out.putInt(1);
        int hasNullsAt = out.size();
        out.putInt(0);
        out.putInt(TEXT);
        out.putInt(column.rowCount());
        out.putInt(1);
        ValueEncoder encoder = plan.encoder(0);
        for (int row = 0; row < column.rowCount(); row++) {
            if (ValueEncoder.isNull(encoder, column, row)) {
                out.setInt(hasNullsAt, 1);
                out.putInt(-1);
                continue;
            }
            text.clear();
            encoder.encode(column, row, firstRowNumber + row, text);
            out.putInt(text.size());
            out.putBytes(text.array(), 0, text.size());
        }
        return Arrays.copyOf(out.array(), out.size());
    }
}
