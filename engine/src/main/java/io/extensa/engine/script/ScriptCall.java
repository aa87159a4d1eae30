package io.extensa.engine.script;

import io.extensa.engine.sql.ast.ResultSets;
import io.extensa.engine.sql.ast.Value;
import java.util.List;
import java.util.Map;

/**
 * A call of sp_execute_external_script with its arguments resolved and checked.
 *
 * @param inputQuery      the SQL of @input_data_1, or null for no input
 * @param parameters      declared in @params, in order
 * @param parameterValues the argument given for each declared parameter (lower-case name), absent = NULL
 * @param outputTargets   for OUTPUT parameters passed as {@code @var OUTPUT}: the variable to assign
 * @param rowsPerRead     streaming: the script runs per chunk of this many rows (0 = once on all rows)
 */
public record ScriptCall(
        String language,
        String script,
        String inputQuery,
        String inputName,
        String outputName,
        List<ParamDeclaration> parameters,
        Map<String, Value> parameterValues,
        Map<String, String> outputTargets,
        ResultSets resultSets,
        boolean parallel,
        String partitionBy,
        String orderBy,
        long rowsPerRead) {

    public ScriptCall {
        parameters = List.copyOf(parameters);
        parameterValues = Map.copyOf(parameterValues);
        outputTargets = Map.copyOf(outputTargets);
    }

    public boolean hasInput() {
        return inputQuery != null && !inputQuery.isBlank();
    }

    /** Several units or several satellites: partitions, streaming chunks, or parallel shares. */
    public boolean multiUnit() {
        return hasInput() && (parallel || partitionBy != null || orderBy != null || rowsPerRead > 0);
    }
}
