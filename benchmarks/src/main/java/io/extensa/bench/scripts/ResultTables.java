package io.extensa.bench.scripts;

import io.extensa.bench.Format;
import io.extensa.bench.Report;
import io.extensa.bench.Samples;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Renders variant results as report tables, with the reasons for missing numbers listed below. */
final class ResultTables {

    private ResultTables() {
    }

    /**
     * Durations of long operations: median, min, max, and the ratio to {@code ceiling}; with
     * {@code rows} > 0 also rows per second.
     */
    static void durations(Report report, List<VariantResult> results, Optional<VariantResult> ceiling, long rows) {
        List<String> header = new ArrayList<>(List.of("variant", "side", "path", "median (ms)", "min (ms)", "max (ms)"));
        if (rows > 0) {
            header.add("rows/s (median)");
        }
        ceiling.ifPresent(c -> header.add("vs " + c.variant().label()));
        var table = new Report.Table(header.toArray(String[]::new)).rightAligned(3, 4, 5, 6, header.size() - 1);
        double ceilingMedian = ceiling.filter(VariantResult::measured).map(c -> c.millis().median()).orElse(Double.NaN);
        for (VariantResult result : results) {
            List<Object> cells = new ArrayList<>(List.of(result.variant().label(), result.variant().side().label(),
                    result.variant().path()));
            if (result.measured()) {
                Samples ms = result.millis();
                cells.addAll(List.of(Format.millis(ms.median()), Format.millis(ms.min()), Format.millis(ms.max())));
                if (rows > 0) {
                    cells.add(Format.count(rows / (ms.median() / 1000)));
                }
                if (ceiling.isPresent()) {
                    cells.add(Double.isNaN(ceilingMedian) ? "" : Format.ratio(ms.median() / ceilingMedian));
                }
            } else {
                cells.add(shortReason(result));
                while (cells.size() < header.size()) {
                    cells.add("");
                }
            }
            table.row(cells.toArray());
        }
        report.table(table);
        reasons(report, results);
    }

    /**
     * Durations of reading {@code rows} rows that are {@code bytes} bytes as a binary COPY stream:
     * median, min, max, rows/s and MB/s (both from the median), and the ratio to {@code ceiling}.
     */
    static void throughput(Report report, List<VariantResult> results, Optional<VariantResult> ceiling, long rows,
            long bytes) {
        var table = new Report.Table("variant", "side", "path", "median (ms)", "min (ms)", "max (ms)",
                "rows/s (median)", "MB/s (median)", "time vs " + ceiling.map(c -> c.variant().label()).orElse("ceiling"))
                .rightAligned(3, 4, 5, 6, 7, 8);
        double ceilingMedian = ceiling.filter(VariantResult::measured).map(c -> c.millis().median()).orElse(Double.NaN);
        for (VariantResult result : results) {
            List<Object> cells = new ArrayList<>(List.of(result.variant().label(), result.variant().side().label(),
                    result.variant().path()));
            if (result.measured()) {
                Samples ms = result.millis();
                double seconds = ms.median() / 1000;
                cells.addAll(List.of(Format.millis(ms.median()), Format.millis(ms.min()), Format.millis(ms.max()),
                        Format.count(rows / seconds), Format.decimal(bytes / 1e6 / seconds, 1),
                        Double.isNaN(ceilingMedian) ? "" : Format.ratio(ms.median() / ceilingMedian)));
            } else {
                cells.add(shortReason(result));
                while (cells.size() < 9) {
                    cells.add("");
                }
            }
            table.row(cells.toArray());
        }
        report.table(table);
        reasons(report, results);
    }

    /** Per-call latency: p50, p99, min, max over every timed call. */
    static void latencies(Report report, List<VariantResult> results) {
        var table = new Report.Table("variant", "side", "path", "p50 (ms)", "p99 (ms)", "min (ms)", "max (ms)", "calls")
                .rightAligned(3, 4, 5, 6, 7);
        for (VariantResult result : results) {
            if (result.measured()) {
                Samples ms = result.millis();
                table.row(result.variant().label(), result.variant().side().label(), result.variant().path(),
                        Format.decimal(ms.median(), 3), Format.decimal(ms.percentile(99), 3),
                        Format.decimal(ms.min(), 3), Format.decimal(ms.max(), 3), ms.count());
            } else {
                table.row(result.variant().label(), result.variant().side().label(), result.variant().path(),
                        shortReason(result), "", "", "", "");
            }
        }
        report.table(table);
        reasons(report, results);
    }

    /** What each variant runs, so any row can be reproduced by hand. */
    static void statements(Report report, List<VariantResult> results) {
        Map<String, List<String>> labelsByStatement = new LinkedHashMap<>();
        for (VariantResult result : results) {
            List<String> labels = labelsByStatement.computeIfAbsent(result.variant().how().strip(),
                    how -> new ArrayList<>());
            String label = result.variant().label();
            if (!labels.contains(label)) {
                labels.add(label);
            }
        }
        StringBuilder text = new StringBuilder();
        labelsByStatement.forEach((how, labels) -> text.append("-- ").append(String.join("; ", labels)).append('\n')
                .append(how).append("\n\n"));
        report.code("sql", text.toString());
    }

    /** The notices each Extensa variant's warm-up call got (units, satellites, degree used), one line each. */
    static List<String> notices(List<VariantResult> results) {
        List<String> lines = new ArrayList<>();
        for (VariantResult result : results) {
            Variant variant = result.variant();
            if (variant instanceof MemoryWatchedVariant watched) {
                variant = watched.inner();
            }
            if (variant instanceof JdbcVariant jdbc && variant.side() == Side.EXTENSA) {
                for (String notice : jdbc.warmUpNotices()) {
                    lines.add(result.variant().label() + ", NOTICE: " + notice.strip());
                }
            }
        }
        return lines;
    }

    private static String shortReason(VariantResult result) {
        String reason = result.notRun().orElse("no samples");
        if (reason.startsWith(ExtensaScript.PENDING)) {
            return ExtensaScript.PENDING;
        }
        return reason.startsWith("failed") ? "failed (below)" : "not run (below)";
    }

    /** Why rows have no numbers, one line per distinct reason. */
    private static void reasons(Report report, List<VariantResult> results) {
        Map<String, List<String>> byReason = new LinkedHashMap<>();
        for (VariantResult result : results) {
            result.notRun().ifPresent(reason -> byReason.computeIfAbsent(reason, r -> new ArrayList<>())
                    .add(result.variant().label()));
        }
        List<String> lines = new ArrayList<>();
        byReason.forEach((reason, labels) -> lines.add(String.join("; ", labels) + ": " + reason));
        if (!lines.isEmpty()) {
            report.bullets(lines);
        }
    }
}
