package io.extensa.engine.script;

import io.extensa.engine.types.InputColumnPlan;
import io.extensa.engine.types.InputTypes;
import io.extensa.engine.types.SessionSettings;
import io.extensa.engine.types.TypeCatalog;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.ColumnDescriptor;
import io.extensa.pgwire.intercept.DeferredDescription;
import io.extensa.pgwire.intercept.StatementDescription;
import java.util.ArrayList;
import java.util.List;

/** The input query of a call: its text as PostgreSQL will run it, and its columns as the script sees them. */
final class ScriptInput {

    private ScriptInput() {
    }

    /** The query without trailing semicolons, so it can be wrapped in COPY (...) or a subquery. */
    static String query(ScriptCall call) {
        String q = call.inputQuery().strip();
        while (q.endsWith(";")) {
            q = q.substring(0, q.length() - 1).stripTrailing();
        }
        return q;
    }

    /** The input's columns as PostgreSQL described them (with their source table and column) and as planned. */
    record Described(List<ColumnDescriptor> columns, List<InputColumnPlan> plans) {
    }

    /** Describes the query on the caller's connection (so the caller's permissions apply) and plans each column. */
    static List<InputColumnPlan> describe(BackendChannel backend, String query, TypeCatalog catalog,
                                          SessionSettings settings) throws PgException {
        return describeWithSources(backend, query, catalog, settings).plans();
    }

    static Described describeWithSources(BackendChannel backend, String query, TypeCatalog catalog,
                                         SessionSettings settings) throws PgException {
        return describeWithSources(backend, query, null, catalog, settings);
    }

    /** @param describedAhead PostgreSQL's description of {@code query} when it was asked for already, else null */
    static Described describeWithSources(BackendChannel backend, String query, DeferredDescription describedAhead,
                                         TypeCatalog catalog, SessionSettings settings) throws PgException {
        StatementDescription d;
        try {
            d = describedAhead != null ? describedAhead.get() : backend.describe(query, new int[0]);
        } catch (PgException e) {
            throw inInputQuery(e, query);
        }
        if (!d.returnsRows()) {
            throw new PgException(SqlState.INVALID_PARAMETER_VALUE,
                    "@input_data_1 must be a query that returns rows");
        }
        if (d.parameterTypes().length > 0) {
            throw new PgException(SqlState.INVALID_PARAMETER_VALUE,
                    "@input_data_1 cannot use parameters ($n); pass values to the script through @params");
        }
        catalog.resolve(d.columns().stream().mapToInt(ColumnDescriptor::typeOid).toArray(), backend);
        List<InputColumnPlan> plans = new ArrayList<>();
        for (ColumnDescriptor c : d.columns()) {
            plans.add(InputTypes.plan(c.name(), catalog.lookup(c.typeOid()), c.typeModifier(), catalog, settings));
        }
        return new Described(d.columns(), plans);
    }

    /**
     * PostgreSQL's position in an error about the input query points into that query, not into the
     * EXEC statement the client sent: it becomes the internal position with the query beside it, as
     * PostgreSQL reports errors of queries a function runs (psql shows them under QUERY:).
     */
    static PgException inInputQuery(PgException e, String query) {
        var fields = e.fields();
        String position = fields.values().get('P');
        if (position == null) {
            return e;
        }
        return new PgException(fields.with('P', null).with('p', position).with('q', query)
                .with('W', fields.values().getOrDefault('W', "@input_data_1")));
    }
}
