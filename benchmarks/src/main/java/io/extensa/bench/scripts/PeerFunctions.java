package io.extensa.bench.scripts;

import io.extensa.bench.BenchStack;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/**
 * The in-database peers, PL/Python and PL/R, as functions a user would write for the same tasks.
 * Each is written the natural way for its language, not tuned for this benchmark.
 */
public final class PeerFunctions {

    public static final String PLPYTHON = "plpython3u";
    public static final String PLR = "plr";

    /** Rows per fetch for the cursor variants (the same batch size for both languages). */
    public static final int CURSOR_BATCH = 10_000;

    private static final List<String> PLPYTHON_FUNCTIONS = List.of(
            """
            CREATE OR REPLACE FUNCTION bench_plpy_echo(x int) RETURNS int LANGUAGE plpython3u AS $$
            return x
            $$""",
            """
            CREATE OR REPLACE FUNCTION bench_plpy_pandas_echo(x int) RETURNS int LANGUAGE plpython3u AS $$
            import pandas
            return x
            $$""",
            """
            CREATE OR REPLACE FUNCTION bench_plpy_means_cursor(query text) RETURNS float8[] LANGUAGE plpython3u AS $$
            n = 0
            sa = sb = sc = 0
            cursor = plpy.cursor(query)
            while True:
                rows = cursor.fetch(%d)
                if not rows:
                    break
                for row in rows:
                    sa += row["a"]
                    sb += row["b"]
                    sc += row["c"]
                n += len(rows)
            return [float(sa) / n, float(sb) / n, float(sc) / n]
            $$""".formatted(CURSOR_BATCH),
            """
            CREATE OR REPLACE FUNCTION bench_plpy_means_execute(query text) RETURNS float8[] LANGUAGE plpython3u AS $$
            rows = plpy.execute(query)
            sa = sb = sc = 0
            for row in rows:
                sa += row["a"]
                sb += row["b"]
                sc += row["c"]
            n = len(rows)
            return [float(sa) / n, float(sb) / n, float(sc) / n]
            $$""",
            """
            CREATE OR REPLACE FUNCTION bench_plpy_means_pandas(query text) RETURNS float8[] LANGUAGE plpython3u AS $$
            import pandas as pd
            rows = plpy.execute(query)
            frame = pd.DataFrame({name: [row[name] for row in rows] for name in rows.colnames()})
            return [float(v) for v in frame.astype("float64").mean()]
            $$""",
            """
            CREATE OR REPLACE FUNCTION bench_plpy_linreg(x1 float8[], x2 float8[], x3 float8[], y float8[])
            RETURNS float8[] LANGUAGE plpython3u AS $$
            import numpy as np
            from sklearn.linear_model import LinearRegression
            model = LinearRegression().fit(np.column_stack([x1, x2, x3]), np.asarray(y))
            return [float(model.intercept_)] + [float(c) for c in model.coef_]
            $$""",
            """
            CREATE OR REPLACE FUNCTION bench_plpy_gen(n int) RETURNS TABLE (a float8, b float8, c float8)
            LANGUAGE plpython3u AS $$
            for i in range(n):
                x = float(i)
                yield (x, x * 0.5, x * 0.25)
            $$""",
            """
            CREATE OR REPLACE FUNCTION bench_plpy_gen_numpy(n int) RETURNS TABLE (a float8, b float8, c float8)
            LANGUAGE plpython3u AS $$
            import numpy as np
            a = np.arange(n, dtype=np.float64)
            return zip(a.tolist(), (a * 0.5).tolist(), (a * 0.25).tolist())
            $$""");

    private static final List<String> PLR_FUNCTIONS = List.of(
            """
            CREATE OR REPLACE FUNCTION bench_plr_echo(x int) RETURNS int LANGUAGE plr AS $$
            x
            $$""",
            """
            CREATE OR REPLACE FUNCTION bench_plr_means_exec(query text) RETURNS float8[] LANGUAGE plr AS $$
            d <- pg.spi.exec(query)
            as.numeric(colMeans(d))
            $$""",
            """
            CREATE OR REPLACE FUNCTION bench_plr_means_cursor(query text) RETURNS float8[] LANGUAGE plr AS $$
            plan <- pg.spi.prepare(query)
            cursor <- pg.spi.cursor_open("bench_plr_cursor", plan)
            n <- 0
            sums <- c(0, 0, 0)
            repeat {
              d <- pg.spi.cursor_fetch(cursor, TRUE, as.integer(%d))
              if (is.null(d) || length(d) == 0 || nrow(d) == 0) break
              sums <- sums + colSums(d)
              n <- n + nrow(d)
            }
            pg.spi.cursor_close(cursor)
            as.numeric(sums / n)
            $$""".formatted(CURSOR_BATCH));

    private PeerFunctions() {
    }

    /** Creates PL/Python's extension and functions; the reason when it cannot. */
    public static Optional<String> installPlPython(BenchStack stack) {
        return install(stack, PLPYTHON, PLPYTHON_FUNCTIONS, "postgresql-plpython3-15");
    }

    /** Creates PL/R's extension and functions; the reason when it cannot. */
    public static Optional<String> installPlR(BenchStack stack) {
        return install(stack, PLR, PLR_FUNCTIONS, "postgresql-15-plr");
    }

    private static Optional<String> install(BenchStack stack, String extension, List<String> functions,
            String debianPackage) {
        try (Connection connection = stack.direct(""); Statement statement = connection.createStatement()) {
            statement.execute("CREATE EXTENSION IF NOT EXISTS " + extension);
            for (String function : functions) {
                statement.execute(function);
            }
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of("not available: " + e.getMessage().lines().findFirst().orElse("").strip()
                    + " (Debian package " + debianPackage + ", installed by bin/setup)");
        }
    }

    /** The source of the named functions, for the report. */
    public static String source(String... names) {
        List<String> chosen = new java.util.ArrayList<>();
        for (String name : names) {
            for (String function : concat()) {
                if (function.contains("FUNCTION " + name + "(")) {
                    chosen.add(function.replace("CREATE OR REPLACE FUNCTION", "CREATE FUNCTION"));
                }
            }
        }
        return String.join(";\n\n", chosen) + ";";
    }

    private static List<String> concat() {
        List<String> all = new java.util.ArrayList<>(PLPYTHON_FUNCTIONS);
        all.addAll(PLR_FUNCTIONS);
        return all;
    }
}
