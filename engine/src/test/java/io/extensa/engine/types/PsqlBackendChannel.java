package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.BindValue;
import io.extensa.pgwire.intercept.CopyDataHandler;
import io.extensa.pgwire.intercept.CopyIn;
import io.extensa.pgwire.intercept.RowHandler;
import io.extensa.pgwire.intercept.StatementDescription;
import io.extensa.pgwire.intercept.TransactionStatus;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs the catalog's queries on the scratch PostgreSQL through psql and hands back the rows as
 * text-format DataRow bodies, the way the gateway's backend channel would. Parameters are
 * inlined as literals (tests only: psql cannot bind). Only {@link #execute} is supported.
 */
final class PsqlBackendChannel implements BackendChannel {

    private final ScratchPostgres pg;
    private final String[] setup;
    int executions;

    PsqlBackendChannel(ScratchPostgres pg, String... setup) {
        this.pg = pg;
        this.setup = setup;
    }

    @Override
    public void openPortal(String portal, String sql, int resultFormat) {
        throw new IllegalStateException("portals are not used by the type tests");
    }

    @Override
    public boolean fetch(String portal, int maxRows, RowHandler rows) {
        throw new IllegalStateException("portals are not used by the type tests");
    }

    @Override
    public void closePortal(String portal) {
        throw new IllegalStateException("portals are not used by the type tests");
    }

    @Override
    public String execute(String sql, List<BindValue> parameters, short[] resultFormats, RowHandler rows)
            throws PgException {
        for (short format : resultFormats) {
            if (format != 0) {
                throw new IllegalArgumentException("this psql-backed test channel returns text results only");
            }
        }
        executions++;
        String inlined = sql;
        for (int i = parameters.size(); i >= 1; i--) {
            BindValue value = parameters.get(i - 1);
            String literal = value.isNull() ? "NULL"
                    : "'" + new String(value.value(), StandardCharsets.UTF_8).replace("'", "''") + "'";
            inlined = inlined.replace("$" + i, literal);
        }
        String[] statements = java.util.Arrays.copyOf(setup, setup.length + 1);
        statements[setup.length] = inlined;
        List<List<String>> result;
        try {
            result = pg.query(statements);
        } catch (IllegalStateException e) {
            throw new PgException("42000", e.getMessage());
        }
        for (List<String> row : result) {
            FieldBuffer body = new FieldBuffer();
            body.putShort(row.size());
            for (String field : row) {
                if (field == null) {
                    body.putInt(-1);
                } else {
                    byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                    body.putInt(bytes.length);
                    body.putBytes(bytes);
                }
            }
            rows.row(ByteBuffer.wrap(body.toByteArray()));
        }
        return "SELECT " + result.size();
    }

    @Override
    public TransactionStatus transactionStatus() {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean failed() {
        return false;
    }

    @Override
    public StatementDescription describe(String sql, int[] parameterTypes) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String copyOut(String sql, CopyDataHandler handler) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CopyIn copyIn(String sql) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void relay(String sql, int[] parameterTypes, List<BindValue> parameters, short[] resultFormats,
                      boolean describe) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void failTransaction() {
        throw new UnsupportedOperationException();
    }
}
