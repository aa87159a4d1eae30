package io.extensa.engine.script;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the input query is read for a call with partitions or an order: the column lists of
 * {@code @input_data_1_partition_by_columns} and {@code @input_data_1_order_by_columns}, checked
 * against the query's columns, and the query that returns the rows grouped by partition.
 *
 * <p>Partitions are found by sorting: PostgreSQL orders the rows by the key (then the requested
 * order) and the engine cuts the stream where the key's bytes change. Memory stays flat however
 * many partitions there are, and each partition reaches its satellite in the requested order.
 * NULL keys sort together, so all rows with a NULL key form one partition, as GROUP BY does. When
 * {@link HashedPartitions} allows it, the engine reads {@link #unsorted} instead and deals rows by
 * key ({@link KeyRouting}); the satellites group their shares.
 *
 * @param partitionColumns indexes into the input's columns, in key order (empty: no partitions)
 * @param partitionNames   the key's column names, for error messages
 * @param query            the query to read: the caller's, wrapped with ORDER BY when needed
 */
record InputShape(int[] partitionColumns, List<String> partitionNames, String query) {

    static InputShape of(String inputQuery, String partitionBy, String orderBy, List<String> columns)
            throws PgException {
        List<Term> partition = partitionBy == null ? List.of() : parseList(partitionBy,
                "@input_data_1_partition_by_columns", false);
        List<Term> order = orderBy == null ? List.of() : parseList(orderBy, "@input_data_1_order_by_columns", true);
        int[] keys = new int[partition.size()];
        List<String> names = new ArrayList<>();
        List<String> sortTerms = new ArrayList<>();
        for (int i = 0; i < partition.size(); i++) {
            keys[i] = indexOf(columns, partition.get(i).name(), "@input_data_1_partition_by_columns");
            names.add(columns.get(keys[i]));
            sortTerms.add(quote(columns.get(keys[i])));
        }
        for (Term term : order) {
            int index = indexOf(columns, term.name(), "@input_data_1_order_by_columns");
            sortTerms.add(quote(columns.get(index)) + (term.direction().isEmpty() ? "" : " " + term.direction()));
        }
        String query = sortTerms.isEmpty() ? inputQuery : "SELECT * FROM (" + inputQuery
                + "\n) AS extensa_input ORDER BY " + String.join(", ", sortTerms);
        return new InputShape(keys, List.copyOf(names), query);
    }

    /** The same partitions over the caller's query as it is, unsorted (the satellites group the rows by key). */
    InputShape unsorted(String inputQuery) {
        return new InputShape(partitionColumns, partitionNames, inputQuery);
    }

    boolean partitioned() {
        return partitionColumns.length > 0;
    }

    private static int indexOf(List<String> columns, String name, String parameter) throws PgException {
        int found = -1;
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).equals(name)) {
                if (found >= 0) {
                    throw new PgException(SqlState.AMBIGUOUS_COLUMN, parameter + ": column \"" + name
                            + "\" appears more than once in @input_data_1");
                }
                found = i;
            }
        }
        if (found < 0) {
            throw new PgException(SqlState.UNDEFINED_COLUMN, parameter + ": column \"" + name
                    + "\" is not a column of @input_data_1").withHint("its columns: " + String.join(", ", columns));
        }
        return found;
    }

    /**
     * {@code (c1, "Mixed Case", c3 DESC)}: identifiers as PostgreSQL folds them (unquoted to lower
     * case), optionally in parentheses; the order list also takes ASC/DESC and NULLS FIRST/LAST.
     */
    /** A column of a list, with its sort direction (empty: ascending, nulls last). */
    record Term(String name, String direction) {
    }

    static List<Term> parseList(String text, String parameter, boolean directions) throws PgException {
        String s = text.strip();
        if (s.startsWith("(") && s.endsWith(")")) {
            s = s.substring(1, s.length() - 1).strip();
        }
        List<Term> out = new ArrayList<>();
        int i = 0;
        while (i <= s.length()) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            StringBuilder name = new StringBuilder();
            if (i < s.length() && s.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= s.length()) {
                        throw invalid(parameter, "unterminated quoted identifier in '" + text + "'");
                    }
                    char c = s.charAt(i++);
                    if (c == '"') {
                        if (i < s.length() && s.charAt(i) == '"') {
                            name.append('"');
                            i++;
                            continue;
                        }
                        break;
                    }
                    name.append(c);
                }
            } else {
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_'
                        || s.charAt(i) == '$')) {
                    name.append(Character.toLowerCase(s.charAt(i++)));
                }
                if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
                    throw invalid(parameter, "expected a column name at position " + (i + 1) + " of '" + text + "'");
                }
            }
            int end = s.indexOf(',', i);
            String rest = (end < 0 ? s.substring(i) : s.substring(i, end)).strip().toUpperCase(Locale.ROOT)
                    .replaceAll("\\s+", " ");
            if (!rest.isEmpty()) {
                if (!directions || !rest.matches("(ASC|DESC)?( ?NULLS (FIRST|LAST))?")) {
                    throw invalid(parameter, "unexpected '" + rest + "' after column \"" + name + "\" in '" + text
                            + "'");
                }
            }
            out.add(new Term(name.toString(), rest));
            if (end < 0) {
                break;
            }
            i = end + 1;
        }
        return out;
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static PgException invalid(String parameter, String message) {
        return new PgException(SqlState.INVALID_PARAMETER_VALUE, parameter + ": " + message);
    }
}
