package io.extensa.runtime.r;

import io.extensa.protocol.batch.ArrayColumnBuilder;
import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.protocol.batch.ColumnBuilder;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;
import io.extensa.protocol.message.Cancel;
import io.extensa.protocol.message.ColumnSpec;
import io.extensa.protocol.message.End;
import io.extensa.protocol.message.EndOfInput;
import io.extensa.protocol.message.ErrorMessage;
import io.extensa.protocol.message.InputBatch;
import io.extensa.protocol.message.Message;
import io.extensa.protocol.message.OutputBatch;
import io.extensa.protocol.message.OutputEnd;
import io.extensa.protocol.message.OutputParam;
import io.extensa.protocol.message.OutputParams;
import io.extensa.protocol.message.OutputSchema;
import io.extensa.protocol.message.Param;
import io.extensa.protocol.message.SessionInit;
import io.extensa.protocol.message.Stderr;
import io.extensa.protocol.message.Stdout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole sessions of a real cold R satellite against the engine's codec: every column type both
 * ways, parameters, output streaming order, errors, quit(), cancel and a vanished engine.
 */
class RSatelliteSessionTest {

    @TempDir
    Path dir;

    private RSatellites satellites;

    @BeforeEach
    void setUp() {
        satellites = new RSatellites(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        satellites.close();
    }

    private static ColumnVector one(ColumnType type, Object value) {
        ColumnBuilder b = ColumnBuilder.create(type);
        if (value == null) {
            b.appendNull();
        } else if (value instanceof Integer i) {
            b.appendInt(i);
        } else if (value instanceof Long l) {
            b.appendLong(l);
        } else if (value instanceof Double d) {
            b.appendDouble(d);
        } else if (value instanceof Boolean z) {
            b.appendBoolean(z);
        } else if (value instanceof byte[] bytes) {
            b.appendBytes(bytes);
        } else {
            b.appendUtf8(value.toString());
        }
        return b.build();
    }

    private static Param param(String name, ColumnType type, String pgType, Object value) {
        return new Param(name, type, pgType, false, one(type, value));
    }

    private static Param output(String name, ColumnType type, String pgType) {
        return new Param(name, type, pgType, true, one(type, null));
    }

    private static Param outputArray(String name, ColumnType elementType, String pgType) {
        ArrayColumnBuilder b = ColumnBuilder.forArray(elementType);
        b.appendNull();
        return new Param(name, ColumnType.ARRAY, pgType, true, b.build());
    }

    @Test
    void everyColumnTypeCrossesBothCodecs() throws Exception {
        RSatellites.Job job = satellites.cold();
        assertThat(job.connection().hello().runtime()).isEqualTo("r");
        assertThat(job.connection().hello().jobId()).isEqualTo(RSatellites.JOB_ID);

        List<ColumnSpec> schema = new java.util.ArrayList<>();
        List<ColumnBuilder> builders = new java.util.ArrayList<>();
        for (ColumnType type : ColumnType.values()) {
            if (type == ColumnType.ARRAY) {
                schema.add(new ColumnSpec("c_array", type, "integer[]", ColumnType.INT32));
                builders.add(ColumnBuilder.forArray(ColumnType.INT32));
            } else {
                schema.add(ColumnSpec.of("c_" + type.name().toLowerCase(), type, null));
                builders.add(ColumnBuilder.create(type));
            }
        }
        BatchBuilder batch = new BatchBuilder(builders);
        UUID uuid = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        int i = 0;
        batch.column(i++).appendBoolean(true);
        batch.column(i++).appendShort(Short.MIN_VALUE);
        batch.column(i++).appendInt(Integer.MAX_VALUE);
        batch.column(i++).appendLong(-(1L << 53));
        batch.column(i++).appendFloat(Float.NaN);
        batch.column(i++).appendDouble(Double.NEGATIVE_INFINITY);
        batch.column(i++).appendUtf8("-12.500");
        batch.column(i++).appendUtf8("\u65e5\u672c \ud83c\udf89");
        batch.column(i++).appendBytes(new byte[] {0, 1, 2});
        batch.column(i++).appendInt(19000);
        batch.column(i++).appendLong(1700000000123456L);
        batch.column(i++).appendLong(-1);
        batch.column(i++).appendLong(43200000001L);
        batch.column(i++).appendInterval(3600000000L, 2, 0);
        batch.column(i++).appendUuid(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
        batch.column(i++).appendUtf8("{\"a\": null}");
        ArrayColumnBuilder array = batch.arrayColumn(i);
        array.child().appendInt(1);
        array.child().appendNull();
        array.child().appendInt(3);
        array.child().appendInt(4);
        array.endArray(2, 2);
        batch.endRow();
        for (int c = 0; c < builders.size(); c++) {
            batch.column(c).appendNull();
        }
        batch.endRow();

        String script = """
                cat("rows", nrow(InputDataSet), p_int, class(InputDataSet$c_text), "\\n")
                OutputDataSet <- InputDataSet
                doubled <- p_int * 2L
                """;
        job.connection().run(script, schema, List.of(param("p_int", ColumnType.INT32, "integer", 21),
                output("doubled", ColumnType.INT64, "bigint")), batch.build());

        assertThat(job.connection().receive()).isEqualTo(new Stdout("rows 2 21 character "));
        OutputSchema outSchema = (OutputSchema) job.connection().receive();
        assertThat(outSchema.columns().stream().map(ColumnSpec::type).toList()).containsExactly(
                ColumnType.BOOL, ColumnType.INT32, ColumnType.INT32, ColumnType.FLOAT64, ColumnType.FLOAT64,
                ColumnType.FLOAT64, ColumnType.FLOAT64, ColumnType.TEXT, ColumnType.BYTES,
                // R has one integer type and one float type; timestamps are POSIXct instants;
                // time of day, uuid and json are character (docs/types.md)
                ColumnType.DATE, ColumnType.TIMESTAMPTZ, ColumnType.TIMESTAMPTZ, ColumnType.TEXT,
                ColumnType.INTERVAL, ColumnType.TEXT, ColumnType.TEXT, ColumnType.ARRAY);
        assertThat(outSchema.columns().get(16).elementType()).isEqualTo(ColumnType.INT32);
        assertThat(outSchema.columns().get(16).pgType()).isEqualTo("integer[]");
        Batch out = ((OutputBatch) job.connection().receive()).batch();
        assertThat(out.rowCount()).isEqualTo(2);
        for (ColumnVector column : out.columns()) {
            assertThat(column.isNull(1)).as(column.toString()).isTrue();
            assertThat(column.isNull(0)).as(column.toString()).isFalse();
        }
        i = 0;
        assertThat(out.column(i++).getBoolean(0)).isTrue();
        assertThat(out.column(i++).getInt(0)).isEqualTo(Short.MIN_VALUE);
        assertThat(out.column(i++).getInt(0)).isEqualTo(Integer.MAX_VALUE);
        assertThat(out.column(i++).getDouble(0)).isEqualTo(-(double) (1L << 53));
        assertThat(out.column(i++).getDouble(0)).isNaN();
        assertThat(out.column(i++).getDouble(0)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(out.column(i++).getDouble(0)).isEqualTo(-12.5);
        assertThat(out.column(i++).getUtf8(0)).isEqualTo("\u65e5\u672c \ud83c\udf89");
        assertThat(out.column(i++).getBytes(0)).containsExactly(0, 1, 2);
        assertThat(out.column(i++).getInt(0)).isEqualTo(19000);
        assertThat(out.column(i++).getLong(0)).isEqualTo(1700000000123456L);
        assertThat(out.column(i++).getLong(0)).isEqualTo(-1L);
        assertThat(out.column(i++).getUtf8(0)).isEqualTo("12:00:00.000001");
        ColumnVector interval = out.column(i++);
        assertThat(interval.getIntervalMicros(0)).isEqualTo(3600000000L);
        assertThat(interval.getIntervalDays(0)).isEqualTo(2);
        assertThat(interval.getIntervalMonths(0)).isZero();
        assertThat(out.column(i++).getUtf8(0)).isEqualTo(uuid.toString());
        assertThat(out.column(i++).getUtf8(0)).isEqualTo("{\"a\": null}");
        ColumnVector arrays = out.column(i);
        assertThat(arrays.dimensions(0)).containsExactly(2, 2);
        assertThat(arrays.child().getInt(0)).isEqualTo(1);
        assertThat(arrays.child().isNull(1)).isTrue();
        assertThat(arrays.child().getInt(3)).isEqualTo(4);

        assertThat(job.connection().receive()).isEqualTo(new OutputEnd(0, 2));
        OutputParams params = (OutputParams) job.connection().receive();
        assertThat(params.params()).hasSize(1);
        assertThat(params.params().get(0).name()).isEqualTo("doubled");
        assertThat(params.params().get(0).type()).isEqualTo(ColumnType.INT32);
        assertThat(params.params().get(0).value().getInt(0)).isEqualTo(42);
        assertThat(job.connection().receive()).isEqualTo(new End());
        assertThat(job.exitCode()).isZero();
    }

    @Test
    void parametersAndOutputParametersOfEveryKind() throws Exception {
        RSatellites.Job job = satellites.cold();
        String script = """
                fit <- lm(y ~ x, data = data.frame(x = 1:10, y = 2 * (1:10) + 1))
                model <- serialize(fit, NULL)
                restored <- coef(unserialize(model))[["x"]]
                label <- paste(greeting, is.na(missing), is.nan(ratio), flag, format(when), length(blob))
                total <- 2^40
                nothing <- NA
                several <- c(1.5, NA, 3)
                when <- when + 1
                """;
        job.connection().send(new SessionInit(script, "InputDataSet", "OutputDataSet", List.of(), List.of(
                param("greeting", ColumnType.TEXT, "text", "h\u00e9llo"),
                param("missing", ColumnType.INT32, "integer", null),
                param("ratio", ColumnType.FLOAT64, "double precision", Double.NaN),
                param("flag", ColumnType.BOOL, "boolean", true),
                new Param("when", ColumnType.DATE, "date", true, dateColumn(19000)),
                param("blob", ColumnType.BYTES, "bytea", new byte[] {1, 2, 3}),
                output("model", ColumnType.BYTES, "bytea"),
                output("restored", ColumnType.FLOAT64, "double precision"),
                output("label", ColumnType.TEXT, "text"),
                output("total", ColumnType.INT64, "bigint"),
                output("nothing", ColumnType.INT64, "bigint"),
                outputArray("never_set", ColumnType.INT32, "integer[]"),
                outputArray("several", ColumnType.FLOAT64, "float8[]")), false, null));
        job.connection().send(new EndOfInput(true, 0));
        List<Message> messages = job.connection().collect();
        assertThat(messages.get(0)).isEqualTo(OutputSchema.none());
        OutputParams params = (OutputParams) messages.get(2);
        List<String> names = params.params().stream().map(OutputParam::name).toList();
        assertThat(names).containsExactly("when", "model", "restored", "label", "total", "nothing", "never_set", "several");
        assertThat(params.params().get(0).value().getInt(0)).isEqualTo(19001);
        assertThat(params.params().get(1).type()).isEqualTo(ColumnType.BYTES);
        assertThat(params.params().get(1).value().valueLength(0)).isGreaterThan(1000);
        assertThat(params.params().get(2).value().getDouble(0)).isEqualTo(2.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(params.params().get(3).value().getUtf8(0)).isEqualTo("h\u00e9llo TRUE TRUE TRUE 2022-01-08 3");
        assertThat(params.params().get(4).value().getDouble(0)).isEqualTo(Math.pow(2, 40));
        OutputParam nothing = params.params().get(5);
        assertThat(nothing.type()).isEqualTo(ColumnType.INT64);
        assertThat(nothing.value().isNull(0)).isTrue();
        OutputParam neverSet = params.params().get(6);
        assertThat(neverSet.type()).isEqualTo(ColumnType.TEXT);
        assertThat(neverSet.value().isNull(0)).isTrue();
        ColumnVector several = params.params().get(7).value();
        assertThat(params.params().get(7).type()).isEqualTo(ColumnType.ARRAY);
        assertThat(several.child().getDouble(0)).isEqualTo(1.5);
        assertThat(several.child().isNull(1)).isTrue();
        assertThat(messages.get(3)).isEqualTo(new End());
        assertThat(job.exitCode()).isZero();
    }

    private static ColumnVector dateColumn(int days) {
        ColumnBuilder b = ColumnBuilder.create(ColumnType.DATE);
        b.appendInt(days);
        return b.build();
    }

    @Test
    void outputIsStreamedLineByLineBeforeTheResult() throws Exception {
        RSatellites.Job job = satellites.cold();
        Path signal = dir.resolve("engine-saw-first-line");
        String script = """
                cat("first\\n")
                waited <- 0
                while (!file.exists("%s") && waited < 300) { Sys.sleep(0.1); waited <- waited + 1 }
                print(c(seen = file.exists("%s")))
                message("to stderr")
                warning("careful")
                invisible(system("echo from a subprocess"))
                cat(strrep("x", 100000), "\\n", sep = "")
                invisible(system("printf 'b\\\\377\\\\n'"))
                cat("no newline at the end")
                OutputDataSet <- data.frame(n = 1L)
                """.formatted(signal, signal);
        job.connection().run(script, List.of(), List.of());
        assertThat(job.connection().receive()).isEqualTo(new Stdout("first"));
        Files.createFile(signal);
        List<Message> rest = job.connection().collect();
        List<Message> console = rest.subList(0, rest.indexOf(rest.stream().filter(OutputSchema.class::isInstance)
                .findFirst().orElseThrow()));
        assertThat(console).contains(new Stdout("seen "), new Stdout("TRUE "), new Stderr("to stderr"),
                new Stderr("Warning: careful"), new Stdout("from a subprocess"), new Stdout("b\ufffd"),
                new Stdout("no newline at the end"));
        String longLine = console.stream().filter(m -> m instanceof Stdout s && s.text().startsWith("xxx"))
                .map(m -> ((Stdout) m).text()).reduce("", String::concat);
        assertThat(longLine).hasSize(100000);
        assertThat(console.stream().filter(m -> m instanceof Stdout s && s.text().startsWith("xxx")).count())
                .as("a 100 000 character line arrives in chunks of at most 64 KiB").isEqualTo(2);
        assertThat(rest.get(rest.size() - 1)).isEqualTo(new End());
        assertThat(job.exitCode()).isZero();
    }

    @Test
    void scriptErrorsCarryTheCallStackWithScriptLines() throws Exception {
        RSatellites.Job job = satellites.cold();
        job.connection().run("f <- function(d) {\n  stop(\"bad value\")\n}\nx <- 1\nf(0)\n", List.of(), List.of());
        ErrorMessage error = (ErrorMessage) job.connection().receive();
        assertThat(error.kind()).isEqualTo("script");
        assertThat(error.exception()).isEqualTo("simpleError");
        assertThat(error.message()).isEqualTo("bad value");
        assertThat(error.line()).isEqualTo(2);
        assertThat(error.traceback()).containsExactly("1: f(0) at <script>#5", "2: stop(\"bad value\") at <script>#2",
                "Error in f(0) : bad value");
        assertThat(job.exitCode()).isEqualTo(1);
    }

    @Test
    void syntaxErrorsNameTheLine() throws Exception {
        RSatellites.Job job = satellites.cold();
        job.connection().run("x <- 1\ny <- (\n", List.of(), List.of());
        ErrorMessage error = (ErrorMessage) job.connection().receive();
        assertThat(error.kind()).isEqualTo("syntax");
        assertThat(error.message()).isEqualTo("unexpected end of input");
        assertThat(error.line()).isEqualTo(2);
        assertThat(error.detail()).isEqualTo("line 2, at the end of the script");
        assertThat(job.exitCode()).isEqualTo(1);
    }

    @Test
    void quitIsReportedInsteadOfEndingTheProcess() throws Exception {
        RSatellites.Job job = satellites.cold();
        job.connection().run("cat('bye\\n')\nq(save = 'no', status = 3)\n", List.of(), List.of());
        assertThat(job.connection().receive()).isEqualTo(new Stdout("bye"));
        ErrorMessage error = (ErrorMessage) job.connection().receive();
        assertThat(error.kind()).isEqualTo("exit");
        assertThat(error.message()).isEqualTo("script called quit(status = 3)");
        assertThat(error.line()).isEqualTo(2);
        assertThat(job.exitCode()).isEqualTo(1);
    }

    @Test
    void valuesRCannotHoldFailNamingTheColumnAndTheCast() throws Exception {
        RSatellites.Job job = satellites.cold();
        ColumnBuilder big = ColumnBuilder.create(ColumnType.INT64);
        big.appendLong(1);
        big.appendLong(Long.MAX_VALUE);
        job.connection().run("OutputDataSet <- InputDataSet", List.of(ColumnSpec.of("id", ColumnType.INT64, "bigint")),
                List.of(), new Batch(2, List.of(big.build())));
        ErrorMessage error = (ErrorMessage) job.connection().receive();
        assertThat(error.kind()).isEqualTo("type");
        assertThat(error.message()).contains("column 'id'").contains("9223372036854775807").contains("id::text")
                .contains("id::float8");
        assertThat(job.exitCode()).isEqualTo(1);
    }

    @Test
    void outputThatIsNotADataFrameIsATypeError() throws Exception {
        RSatellites.Job job = satellites.cold();
        job.connection().run("OutputDataSet <- function(x) x", List.of(), List.of());
        ErrorMessage error = (ErrorMessage) job.connection().receive();
        assertThat(error.kind()).isEqualTo("type");
        assertThat(error.message()).contains("OutputDataSet must be a data.frame");
        assertThat(job.exitCode()).isEqualTo(1);
    }

    @Test
    void cancelInterruptsARunningScript() throws Exception {
        RSatellites.Job job = satellites.cold();
        job.connection().run("repeat { cat('looping\\n'); for (i in 1:1e7) x <- i }", List.of(), List.of());
        assertThat(job.connection().receive()).isEqualTo(new Stdout("looping"));
        job.connection().send(new Cancel());
        List<Message> messages = job.connection().collect();
        assertThat(messages.subList(0, messages.size() - 1)).allSatisfy(m -> assertThat(m).isEqualTo(new Stdout("looping")));
        ErrorMessage error = (ErrorMessage) messages.get(messages.size() - 1);
        assertThat(error.kind()).isEqualTo("cancelled");
        assertThat(job.exitCode()).isEqualTo(3);
    }

    @Test
    void aScriptThatSwallowsInterruptsIsAbandonedAfterFiveSeconds() throws Exception {
        RSatellites.Job job = satellites.cold();
        job.connection().run("repeat tryCatch({ cat('stubborn\\n'); Sys.sleep(10) }, interrupt = function(e) NULL)",
                List.of(), List.of());
        assertThat(job.connection().receive()).isEqualTo(new Stdout("stubborn"));
        job.connection().send(new Cancel());
        List<Message> messages = job.connection().collect();
        assertThat(messages.subList(0, messages.size() - 1)).as("interrupted again and again").hasSizeGreaterThan(1)
                .containsOnly(new Stdout("stubborn"));
        ErrorMessage error = (ErrorMessage) messages.get(messages.size() - 1);
        assertThat(error.kind()).isEqualTo("cancelled");
        assertThat(error.message()).isEqualTo("the script did not stop after cancel");
        assertThat(job.exitCode()).isEqualTo(3);
    }

    @Test
    void aVanishedEngineStopsTheScript() throws Exception {
        RSatellites.Job job = satellites.cold();
        job.connection().run("cat('sleeping\\n')\nSys.sleep(120)", List.of(), List.of());
        assertThat(job.connection().receive()).isEqualTo(new Stdout("sleeping"));
        job.connection().channel().close();
        assertThat(job.process().waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(job.process().exitValue()).isEqualTo(4);
    }

    @Test
    void endFromTheEngineEndsTheSessionWithoutAnswer() throws Exception {
        RSatellites.Job job = satellites.cold();
        job.connection().run("cat('sleeping\\n')\nSys.sleep(120)", List.of(), List.of());
        assertThat(job.connection().receive()).isEqualTo(new Stdout("sleeping"));
        job.connection().send(new End());
        assertThat(job.connection().receive()).isNull();
        assertThat(job.exitCode()).isEqualTo(4);
    }

    @Test
    void unitsRunOneAfterAnotherWithFreshGlobals() throws Exception {
        RSatellites.Job job = satellites.cold();
        ColumnBuilder first = ColumnBuilder.create(ColumnType.FLOAT64);
        first.appendDouble(1);
        first.appendDouble(2);
        ColumnBuilder second = ColumnBuilder.create(ColumnType.FLOAT64);
        second.appendDouble(10);
        String script = "seen <- exists('carried')\ncarried <- TRUE\n"
                + "OutputDataSet <- data.frame(total = sum(InputDataSet$v), seen = seen)";
        job.connection().send(new SessionInit(script, "InputDataSet", "OutputDataSet",
                List.of(ColumnSpec.of("v", ColumnType.FLOAT64, "double precision")), List.of(), true, null));
        job.connection().send(new InputBatch(new Batch(2, List.of(first.build()))));
        job.connection().send(new EndOfInput(false, 0));
        job.connection().send(new InputBatch(new Batch(1, List.of(second.build()))));
        job.connection().send(new EndOfInput(true, 1));
        List<Message> messages = job.connection().collect();
        List<Batch> batches = messages.stream().filter(OutputBatch.class::isInstance).map(m -> ((OutputBatch) m).batch())
                .toList();
        assertThat(batches).hasSize(2);
        assertThat(batches.get(0).column(0).getDouble(0)).isEqualTo(3.0);
        assertThat(batches.get(0).column(1).getBoolean(0)).isFalse();
        assertThat(batches.get(1).column(0).getDouble(0)).isEqualTo(10.0);
        assertThat(batches.get(1).column(1).getBoolean(0)).isFalse();
        assertThat(messages).contains(new OutputEnd(0, 1), new OutputEnd(1, 1));
        assertThat(job.exitCode()).isZero();
    }

    @Test
    void inputWithoutRowsKeepsItsColumnTypes() throws Exception {
        RSatellites.Job job = satellites.cold();
        String script = "OutputDataSet <- data.frame(rows = nrow(InputDataSet), "
                + "classes = paste(vapply(InputDataSet, function(c) class(c)[1], ''), collapse = ','))";
        job.connection().run(script, List.of(ColumnSpec.of("a", ColumnType.INT64, "bigint"),
                ColumnSpec.of("b", ColumnType.TIMESTAMPTZ, "timestamptz"), ColumnSpec.of("c", ColumnType.TEXT, "text"),
                new ColumnSpec("d", ColumnType.ARRAY, "text[]", ColumnType.TEXT)), List.of());
        List<Message> messages = job.connection().collect();
        Batch out = ((OutputBatch) messages.get(1)).batch();
        assertThat(out.column(0).getInt(0)).isZero();
        assertThat(out.column(1).getUtf8(0)).isEqualTo("numeric,POSIXct,character,list");
        assertThat(job.exitCode()).isZero();
    }
}
