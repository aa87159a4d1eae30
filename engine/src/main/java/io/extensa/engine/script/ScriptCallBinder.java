package io.extensa.engine.script;

import io.extensa.engine.sql.ast.Argument;
import io.extensa.engine.sql.ast.ResultSets;
import io.extensa.engine.sql.ast.Statement;
import io.extensa.engine.sql.ast.Value;
import io.extensa.engine.types.TsqlTypes;
import io.extensa.engine.variables.SessionVariables;
import io.extensa.engine.variables.Variable;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.BindValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks the arguments of sp_execute_external_script the way SQL Server does (required
 * parameters, unknown names, positional order, OUTPUT only for declared OUTPUT parameters) and
 * resolves the fixed ones to their text. Values of the script's own parameters stay unevaluated:
 * PostgreSQL casts them to the declared types when the call runs.
 */
public final class ScriptCallBinder {

    public static final String PROCEDURE = "sp_execute_external_script";

    /** The documented positional order of the procedure's own parameters. */
    private static final List<String> FIXED = List.of("language", "script", "input_data_1", "input_data_1_name",
            "input_data_1_order_by_columns", "input_data_1_partition_by_columns", "output_data_1_name", "parallel",
            "params");
    private static final Set<Integer> TEXT_TYPES = Set.of(25, 1043, 1042, 19);
    private static final Set<String> STREAMING_PARAMETERS = Set.of("r_rowsperread", "rows_per_read");

    private ScriptCallBinder() {
    }

    public static ScriptCall bind(Statement.Exec exec, SessionVariables variables, List<BindValue> bound)
            throws PgException {
        Map<String, Argument> fixed = new LinkedHashMap<>();
        List<Argument> positionalParams = new ArrayList<>();
        Map<String, Argument> namedParams = new LinkedHashMap<>();
        boolean named = false;
        int position = 0;
        for (Argument a : exec.arguments()) {
            if (a.name() == null) {
                if (named) {
                    throw invalid("positional arguments must come before named ones: \"@name = value\" once named");
                }
                if (position < FIXED.size()) {
                    fixed.put(FIXED.get(position), a);
                } else {
                    positionalParams.add(a);
                }
                position++;
                continue;
            }
            named = true;
            String name = a.name().toLowerCase(Locale.ROOT);
            if (FIXED.contains(name)) {
                if (fixed.put(name, a) != null) {
                    throw invalid("parameter \"@" + a.name() + "\" was supplied more than once");
                }
            } else if (namedParams.put(name, a) != null) {
                throw invalid("parameter \"@" + a.name() + "\" was supplied more than once");
            }
        }
        for (Map.Entry<String, Argument> e : fixed.entrySet()) {
            if (e.getValue().output()) {
                throw invalid("\"@" + e.getKey() + "\" cannot be an OUTPUT parameter");
            }
        }

        String language = text(fixed, "language", variables, bound);
        String script = text(fixed, "script", variables, bound);
        if (language == null || language.isBlank()) {
            throw missing("language");
        }
        if (script == null) {
            throw missing("script");
        }
        String inputName = orDefault(text(fixed, "input_data_1_name", variables, bound), "InputDataSet");
        String outputName = orDefault(text(fixed, "output_data_1_name", variables, bound), "OutputDataSet");
        checkIdentifier("input_data_1_name", inputName);
        checkIdentifier("output_data_1_name", outputName);
        String parallelText = text(fixed, "parallel", variables, bound);
        boolean parallel = parallelText != null && !parallelText.isBlank() && !parallelText.strip().equals("0");
        if (parallel && !parallelText.strip().equals("1")) {
            throw invalid("@parallel must be 0 or 1, not " + parallelText);
        }

        List<ParamDeclaration> declarations = new ArrayList<>(parseDeclarations(text(fixed, "params", variables, bound)));
        Map<String, ParamDeclaration> byName = new HashMap<>();
        for (ParamDeclaration d : declarations) {
            String key = d.name().toLowerCase(Locale.ROOT);
            if (byName.put(key, d) != null) {
                throw invalid("@params declares \"@" + d.name() + "\" more than once");
            }
            if (FIXED.contains(key)) {
                throw invalid("@params cannot declare \"@" + d.name() + "\": it is a parameter of " + PROCEDURE);
            }
        }
        if (positionalParams.size() > declarations.size()) {
            throw invalid(PROCEDURE + " was given " + positionalParams.size()
                    + " positional script parameters but @params declares " + declarations.size());
        }
        for (int i = 0; i < positionalParams.size(); i++) {
            namedParams.put(declarations.get(i).name().toLowerCase(Locale.ROOT), positionalParams.get(i));
        }
        long rowsPerRead = 0;
        for (String key : STREAMING_PARAMETERS) {
            // SQL Server wants @r_rowsPerRead declared in @params; passing it alone works here too
            if (!byName.containsKey(key) && namedParams.containsKey(key)) {
                Argument a = namedParams.remove(key);
                if (a.output()) {
                    throw invalid("\"@" + a.name() + "\" cannot be an OUTPUT parameter");
                }
                rowsPerRead = rowsPerRead(a.value(), variables, bound);
            }
        }
        Map<String, Value> values = new HashMap<>();
        Map<String, String> outputTargets = new HashMap<>();
        for (Map.Entry<String, Argument> e : namedParams.entrySet()) {
            ParamDeclaration d = byName.get(e.getKey());
            Argument a = e.getValue();
            if (d == null) {
                throw invalid("\"@" + a.name() + "\" is not a parameter for procedure " + PROCEDURE)
                        .withHint("declare it in @params, e.g. @params = N'@" + a.name() + " int'");
            }
            if (a.output() && !d.output()) {
                throw invalid("\"@" + d.name() + "\" is passed as OUTPUT but @params does not declare it OUTPUT");
            }
            Value v = a.value();
            if (v instanceof Value.Variable var && !variables.isDeclared(var.name())) {
                throw undeclared(var.name());
            }
            if (v instanceof Value.Parameter p && (p.index() < 1 || p.index() > bound.size())) {
                throw new PgException(SqlState.UNDEFINED_PARAMETER, "there is no parameter $" + p.index());
            }
            if (a.output() && v instanceof Value.Variable var) {
                outputTargets.put(e.getKey(), var.name());
            } else if (a.output()) {
                throw invalid("only a variable can receive OUTPUT parameter \"@" + d.name() + "\"");
            }
            if (!(v instanceof Value.Default)) {
                values.put(e.getKey(), v);
            }
        }
        for (ParamDeclaration d : List.copyOf(declarations)) {
            String key = d.name().toLowerCase(Locale.ROOT);
            if (STREAMING_PARAMETERS.contains(key)) {
                rowsPerRead = rowsPerRead(values.remove(key), variables, bound);
                declarations.remove(d);
                outputTargets.remove(key);
            }
        }
        return new ScriptCall(language.strip(), script, blankToNull(text(fixed, "input_data_1", variables, bound)),
                inputName, outputName, declarations, values, outputTargets, exec.resultSets(), parallel,
                blankToNull(text(fixed, "input_data_1_partition_by_columns", variables, bound)),
                blankToNull(text(fixed, "input_data_1_order_by_columns", variables, bound)), rowsPerRead);
    }

    /**
     * SQL Server's reserved @r_rowsPerRead (and the friendlier @rows_per_read): the engine streams the
     * input in chunks of that many rows and runs the script per chunk; the script does not see it.
     */
    private static long rowsPerRead(Value v, SessionVariables variables, List<BindValue> bound) throws PgException {
        String text = switch (v) {
            case null -> null;
            case Value.Number n -> n.text();
            case Value.Text t -> t.text().strip();
            case Value.Variable var -> {
                Variable variable = variables.get(var.name()).orElseThrow(() -> undeclared(var.name()));
                yield variable.value() == null ? null : String.valueOf(integerValue(variable.value()));
            }
            case Value.Parameter p -> {
                BindValue b = bound.get(p.index() - 1);
                yield b.value() == null ? null
                        : b.format() == 1 ? String.valueOf(integerValue(b.value())) : new String(b.value(), StandardCharsets.UTF_8);
            }
            default -> null;
        };
        if (text == null) {
            return 0;
        }
        try {
            long rows = Long.parseLong(text);
            if (rows < 1 || rows > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return rows;
        } catch (NumberFormatException e) {
            throw invalid("@r_rowsPerRead must be a positive integer, not " + text);
        }
    }

    /** {@code @a int, @b varbinary(max) OUTPUT, ...} */
    static List<ParamDeclaration> parseDeclarations(String params) throws PgException {
        List<ParamDeclaration> result = new ArrayList<>();
        if (params == null || params.isBlank()) {
            return result;
        }
        for (String part : splitTopLevel(params)) {
            String s = part.strip();
            if (s.isEmpty()) {
                throw invalid("@params has an empty declaration: " + params);
            }
            if (!s.startsWith("@")) {
                throw invalid("@params entry \"" + s + "\" must start with @name");
            }
            int end = 1;
            while (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) {
                end++;
            }
            String name = s.substring(1, end);
            String rest = s.substring(end).strip();
            boolean output = false;
            String upper = rest.toUpperCase(Locale.ROOT);
            for (String keyword : new String[] {" OUTPUT", " OUT"}) {
                if (upper.endsWith(keyword)) {
                    output = true;
                    rest = rest.substring(0, rest.length() - keyword.length()).strip();
                    break;
                }
            }
            if (name.isEmpty() || rest.isEmpty()) {
                throw invalid("@params entry \"" + s + "\" needs a name and a type, e.g. @model varbinary(max) OUTPUT");
            }
            result.add(new ParamDeclaration(name, TsqlTypes.toPostgres(rest), output));
        }
        return result;
    }

    private static List<String> splitTopLevel(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static String text(Map<String, Argument> fixed, String name, SessionVariables variables,
                               List<BindValue> bound) throws PgException {
        Argument a = fixed.get(name);
        if (a == null) {
            return null;
        }
        return switch (a.value()) {
            case Value.Text t -> t.text();
            case Value.Number n -> n.text();
            case Value.Null n -> null;
            case Value.Default d -> null;
            case Value.Binary b -> throw invalid("@" + name + " must be text, not a binary value");
            case Value.Variable v -> {
                Variable var = variables.get(v.name()).orElseThrow(() -> undeclared(v.name()));
                if (var.value() == null) {
                    yield null;
                }
                if (!TEXT_TYPES.contains(var.typeOid()) && !name.equals("parallel")) {
                    throw invalid("@" + name + " must be character data; @" + var.name() + " is " + var.typeText());
                }
                yield name.equals("parallel") && !TEXT_TYPES.contains(var.typeOid())
                        ? String.valueOf(integerValue(var.value())) : new String(var.value(), StandardCharsets.UTF_8);
            }
            case Value.Parameter p -> {
                if (p.index() < 1 || p.index() > bound.size()) {
                    throw new PgException(SqlState.UNDEFINED_PARAMETER, "there is no parameter $" + p.index());
                }
                BindValue b = bound.get(p.index() - 1);
                if (b.value() == null) {
                    yield null;
                }
                if (b.format() == 1 && !TEXT_TYPES.contains(b.typeOid())) {
                    if (name.equals("parallel")) {
                        yield String.valueOf(integerValue(b.value()));
                    }
                    throw invalid("@" + name + " must be bound as text ($" + p.index() + " has type oid " + b.typeOid() + ")");
                }
                yield new String(b.value(), StandardCharsets.UTF_8);
            }
        };
    }

    /** Binary int2/int4/int8 or bool as a number. */
    private static long integerValue(byte[] b) throws PgException {
        return switch (b.length) {
            case 1 -> b[0];
            case 2 -> (short) (((b[0] & 0xFF) << 8) | (b[1] & 0xFF));
            case 4 -> java.nio.ByteBuffer.wrap(b).getInt();
            case 8 -> java.nio.ByteBuffer.wrap(b).getLong();
            default -> throw invalid("@parallel must be 0 or 1");
        };
    }

    private static void checkIdentifier(String parameter, String name) throws PgException {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw invalid("@" + parameter + " must be a valid variable name, not \"" + name + "\"");
        }
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    static PgException invalid(String message) {
        return new PgException(SqlState.INVALID_PARAMETER_VALUE, message);
    }

    static PgException missing(String name) {
        return new PgException(SqlState.INVALID_PARAMETER_VALUE, "procedure " + PROCEDURE + " expects parameter '@"
                + name + "', which was not supplied");
    }

    public static PgException undeclared(String name) {
        return new PgException(SqlState.UNDEFINED_PARAMETER, "must declare the scalar variable \"@" + name + "\"");
    }

    /** Whether the statement's ResultSets clause forbids a result. */
    static boolean noResults(ResultSets r) {
        return r.kind() == ResultSets.Kind.NONE;
    }
}
