package io.extensa.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Repeated measurements of one quantity (milliseconds, transactions per second, ...). Order
 * statistics use the nearest-rank definition, so every reported value is one that was observed.
 */
public final class Samples {

    private final List<Double> values = new ArrayList<>();

    public static Samples of(double... values) {
        Samples samples = new Samples();
        for (double v : values) {
            samples.add(v);
        }
        return samples;
    }

    public void add(double value) {
        if (Double.isNaN(value)) {
            throw new IllegalArgumentException("NaN is not a measurement");
        }
        values.add(value);
    }

    public int count() {
        return values.size();
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public double median() {
        return percentile(50);
    }

    public double min() {
        return sorted()[0];
    }

    public double max() {
        double[] sorted = sorted();
        return sorted[sorted.length - 1];
    }

    public double mean() {
        requireValues();
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    /** Nearest-rank percentile: the smallest observed value with at least p% of values at or below it. */
    public double percentile(double p) {
        if (p <= 0 || p > 100) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        }
        double[] sorted = sorted();
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    public List<Double> values() {
        return List.copyOf(values);
    }

    private double[] sorted() {
        requireValues();
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return sorted;
    }

    private void requireValues() {
        if (values.isEmpty()) {
            throw new IllegalStateException("no samples");
        }
    }
}
