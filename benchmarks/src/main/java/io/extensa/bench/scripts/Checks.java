package io.extensa.bench.scripts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Result checks for warm-up calls: a benchmark of a wrong answer is worthless. */
public final class Checks {

    private static final double RELATIVE_TOLERANCE = 1e-6;

    private Checks() {
    }

    /**
     * The first value of the first row is {@code expected}: the same number whatever its type
     * (an engine may answer 1 as bigint or double), or the same text.
     */
    public static JdbcVariant.Check firstValueIs(Object expected) {
        return outcome -> {
            Object actual = outcome.firstRow().isEmpty() ? null : outcome.firstRow().get(0);
            if (!sameValue(expected, actual)) {
                throw new IllegalStateException("expected " + expected + ", got " + outcome.firstRow());
            }
        };
    }

    static boolean sameValue(Object expected, Object actual) {
        if (actual == null) {
            return expected == null;
        }
        if (expected instanceof Number number) {
            try {
                return Double.parseDouble(actual.toString()) == number.doubleValue();
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return String.valueOf(expected).equals(String.valueOf(actual));
    }

    /**
     * The first row holds the three means, either as three columns or as one float8[] column, each
     * within a relative 1e-6 of PostgreSQL's own avg().
     */
    public static JdbcVariant.Check means(double[] expected) {
        return outcome -> means(expected, numbers(outcome.firstRow()));
    }

    public static void means(double[] expected, List<Double> actual) {
        if (actual.size() != expected.length) {
            throw new IllegalStateException("expected " + expected.length + " means, got " + actual);
        }
        for (int i = 0; i < expected.length; i++) {
            double difference = Math.abs(actual.get(i) - expected[i]);
            if (difference > RELATIVE_TOLERANCE * Math.max(Math.abs(expected[i]), 1e-12)) {
                throw new IllegalStateException(String.format(Locale.ROOT, "mean %d is %.9f, PostgreSQL's avg() says %.9f",
                        i, actual.get(i), expected[i]));
            }
        }
    }

    /**
     * One model per partition: {@code partitions} rows whose first column, the key, sums to
     * 0 + 1 + … + (partitions - 1), and a first row (key, intercept, coefficients...) within
     * {@code tolerance} of the model the data follows.
     */
    public static JdbcVariant.Check partitionModels(int partitions, double interceptPerKey, double[] coefficients,
            double tolerance) {
        return outcome -> {
            long keySum = (long) partitions * (partitions - 1) / 2;
            if (outcome.rows() != partitions || outcome.firstColumnSum() != keySum) {
                throw new IllegalStateException(String.format(Locale.ROOT, "expected %d rows with keys summing to %d, "
                        + "got %d rows summing to %.0f", partitions, keySum, outcome.rows(), outcome.firstColumnSum()));
            }
            List<Double> row = numbers(outcome.firstRow());
            if (row.size() != coefficients.length + 2) {
                throw new IllegalStateException("expected key, intercept and " + coefficients.length
                        + " coefficients, got " + outcome.firstRow());
            }
            double[] expected = new double[row.size()];
            expected[0] = row.get(0);
            expected[1] = interceptPerKey * row.get(0);
            System.arraycopy(coefficients, 0, expected, 2, coefficients.length);
            for (int i = 1; i < expected.length; i++) {
                if (Math.abs(row.get(i) - expected[i]) > tolerance) {
                    throw new IllegalStateException(String.format(Locale.ROOT, "partition %.0f: value %d is %.6f, "
                            + "the data follows %.6f", row.get(0), i, row.get(i), expected[i]));
                }
            }
        };
    }

    /**
     * Per-chunk (or per-share) counts that add up to {@code total}, in {@code expectedRows} rows
     * (any number of rows when negative).
     */
    public static JdbcVariant.Check countsAddUpTo(long total, long expectedRows) {
        return outcome -> {
            if (outcome.firstColumnSum() != total || (expectedRows >= 0 && outcome.rows() != expectedRows)) {
                throw new IllegalStateException(String.format(Locale.ROOT, "expected counts adding up to %d in %s rows, "
                        + "got %.0f in %d rows", total, expectedRows < 0 ? "any number of" : Long.toString(expectedRows),
                        outcome.firstColumnSum(), outcome.rows()));
            }
        };
    }

    static List<Double> numbers(List<Object> row) {
        List<Double> numbers = new ArrayList<>();
        for (Object value : row) {
            if (value instanceof List<?> list) {
                for (Object element : list) {
                    numbers.add(((Number) element).doubleValue());
                }
            } else if (value instanceof Number number) {
                numbers.add(number.doubleValue());
            } else if (value != null) {
                numbers.add(Double.parseDouble(value.toString()));
            }
        }
        return numbers;
    }
}
