package io.extensa.protocol.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.protocol.batch.ColumnBuilder;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.message.ChildExited;
import io.extensa.protocol.message.ColumnSpec;
import io.extensa.protocol.message.End;
import io.extensa.protocol.message.EndOfInput;
import io.extensa.protocol.message.ErrorKind;
import io.extensa.protocol.message.ErrorMessage;
import io.extensa.protocol.message.Fork;
import io.extensa.protocol.message.Forked;
import io.extensa.protocol.message.Heartbeat;
import io.extensa.protocol.message.Hello;
import io.extensa.protocol.message.Message;
import io.extensa.protocol.message.OutputEnd;
import io.extensa.protocol.message.OutputParam;
import io.extensa.protocol.message.OutputParams;
import io.extensa.protocol.message.OutputSchema;
import io.extensa.protocol.message.Param;
import io.extensa.protocol.message.Query;
import io.extensa.protocol.message.QueryEnd;
import io.extensa.protocol.message.QueryError;
import io.extensa.protocol.message.QueryResult;
import io.extensa.protocol.message.SessionInit;
import io.extensa.protocol.message.SessionOptions;
import io.extensa.protocol.message.Stderr;
import io.extensa.protocol.message.Stdout;
import io.extensa.protocol.message.Welcome;
import io.extensa.protocol.message.Cancel;
import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.FrameHeader;
import io.extensa.protocol.wire.FrameWriter;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates the golden files under testdata/protocol: {@code <name>.bin} holds the exact bytes
 * of one direction's frames, {@code <name>.json} describes them (docs/protocol.md, "Golden
 * files"); {@code invalid/<name>.bin} holds bytes a receiver must reject. Run {@link #main} to
 * regenerate after a deliberate format change; GoldenFilesTest fails while the files are stale.
 */
public final class GoldenFiles {

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** One file: its bytes and its description. */
    public record Rendered(String name, byte[] bin, String json) {
    }

    private record Column(ColumnType type, ColumnType elementType, String values) {
    }

    private record FrameSpec(MessageType type, PayloadBuilder payload, ObjectNode batch, ArrayNode params) {
    }

    private static final class Case {
        final String name;
        final String description;
        final String direction;
        boolean canonical = true;
        final List<FrameSpec> frames = new ArrayList<>();

        Case(String name, String direction, String description) {
            this.name = name;
            this.direction = direction;
            this.description = description;
        }

        Case add(Message message) {
            frames.add(new FrameSpec(message.type(), message.encode(), null, null));
            return this;
        }

        Case add(Message message, ArrayNode params) {
            frames.add(new FrameSpec(message.type(), message.encode(), null, params));
            return this;
        }

        Case batch(MessageType type, int rows, Column... columns) {
            List<ColumnBuilder> builders = new ArrayList<>();
            ObjectNode description = JSON.objectNode();
            description.put("row_count", rows);
            ArrayNode columnsJson = description.putArray("columns");
            List<JsonNode> values = new ArrayList<>();
            for (Column column : columns) {
                builders.add(ColumnBuilder.create(column.type, column.elementType));
                JsonNode parsed = parse(column.values);
                if (parsed.size() != rows) {
                    throw new IllegalArgumentException(name + ": column has " + parsed.size() + " values, not " + rows);
                }
                values.add(parsed);
                ObjectNode c = columnsJson.addObject();
                c.put("type", column.type.name());
                if (column.elementType != null) {
                    c.put("element_type", column.elementType.name());
                }
                c.set("values", parsed);
            }
            BatchBuilder batch = new BatchBuilder(builders);
            for (int row = 0; row < rows; row++) {
                for (int c = 0; c < columns.length; c++) {
                    NeutralValues.append(batch.column(c), values.get(c).get(row));
                }
                batch.endRow();
            }
            frames.add(new FrameSpec(type, batch.encode(), description, null));
            return this;
        }
    }

    private GoldenFiles() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 ? Path.of(args[0]) : testdataDir();
        Files.createDirectories(dir.resolve("invalid"));
        for (Rendered file : render()) {
            Files.write(dir.resolve(file.name() + ".bin"), file.bin());
            Files.writeString(dir.resolve(file.name() + ".json"), file.json());
        }
        System.out.println("wrote golden files to " + dir);
    }

    /** testdata/protocol of the source tree this test runs in. */
    public static Path testdataDir() {
        String root = System.getProperty("extensa.root");
        Path start = root != null && !root.isBlank() ? Path.of(root) : Path.of("").toAbsolutePath();
        for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("testdata/protocol"))) {
                return p.resolve("testdata/protocol");
            }
        }
        throw new IllegalStateException("testdata/protocol not found above " + start);
    }

    public static List<Rendered> render() {
        List<Rendered> out = new ArrayList<>();
        for (Case c : cases()) {
            out.add(render(c));
        }
        for (Map.Entry<String, InvalidCase> e : InvalidFrames.cases().entrySet()) {
            ObjectNode json = JSON.objectNode();
            json.put("name", e.getKey());
            json.put("description", e.getValue().description());
            json.put("expect", "error");
            out.add(new Rendered("invalid/" + e.getKey(), e.getValue().bytes(), toJson(json)));
        }
        return out;
    }

    /** Bytes a receiver must reject, and why. */
    public record InvalidCase(String description, byte[] bytes) {
    }

    private static Rendered render(Case c) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(gathering(Channels.newChannel(bytes)), FrameHeader.DEFAULT_MAX_PAYLOAD);
        ObjectNode json = JSON.objectNode();
        json.put("name", c.name);
        json.put("description", c.description);
        json.put("direction", c.direction);
        json.put("canonical", c.canonical);
        ArrayNode frames = json.putArray("frames");
        int sequence = 0;
        for (FrameSpec frame : c.frames) {
            ByteBuffer payload = frame.payload.toByteBuffer();
            try {
                writer.write(frame.type, frame.payload);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ObjectNode f = frames.addObject();
            f.put("type", frame.type.name());
            f.put("code", frame.type.code());
            f.put("sequence", sequence++);
            f.put("length", payload.remaining());
            try {
                f.set("fields", FieldTree.describe(new FieldCursor(payload, frame.type.name())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (frame.params != null) {
                f.set("params", frame.params);
            }
            if (frame.batch != null) {
                f.set("batch", frame.batch);
            }
        }
        return new Rendered(c.name, bytes.toByteArray(), toJson(json));
    }

    static GatheringByteChannel gathering(WritableByteChannel channel) {
        return new GatheringByteChannel() {
            @Override
            public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
                long n = 0;
                for (int i = offset; i < offset + length; i++) {
                    n += channel.write(srcs[i]);
                }
                return n;
            }

            @Override
            public long write(ByteBuffer[] srcs) throws IOException {
                return write(srcs, 0, srcs.length);
            }

            @Override
            public int write(ByteBuffer src) throws IOException {
                return channel.write(src);
            }

            @Override
            public boolean isOpen() {
                return channel.isOpen();
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    private static String toJson(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json.replace('\'', '"'));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Column col(ColumnType type, String values) {
        return new Column(type, null, values);
    }

    private static Column array(ColumnType elementType, String values) {
        return new Column(ColumnType.ARRAY, elementType, values);
    }

    /** The values each column type's golden batch carries: NULLs and the edges of the type. */
    static final Map<ColumnType, Column> TYPE_SAMPLES = new LinkedHashMap<>();

    static {
        TYPE_SAMPLES.put(ColumnType.BOOL, col(ColumnType.BOOL, "[true, false, null, true]"));
        TYPE_SAMPLES.put(ColumnType.INT16, col(ColumnType.INT16, "[0, 1, -1, 32767, -32768, null]"));
        TYPE_SAMPLES.put(ColumnType.INT32, col(ColumnType.INT32, "[0, 2147483647, -2147483648, null, 42]"));
        TYPE_SAMPLES.put(ColumnType.INT64, col(ColumnType.INT64,
                "['0', '9223372036854775807', '-9223372036854775808', null, '-1']"));
        TYPE_SAMPLES.put(ColumnType.FLOAT32, col(ColumnType.FLOAT32,
                "[1.5, -0.0, 'NaN', 'Infinity', '-Infinity', null, 3.4028235E38, 1.4E-45]"));
        TYPE_SAMPLES.put(ColumnType.FLOAT64, col(ColumnType.FLOAT64,
                "[0.1, -0.0, 'NaN', 'Infinity', '-Infinity', null, 1.7976931348623157E308, 4.9E-324]"));
        TYPE_SAMPLES.put(ColumnType.DECIMAL, col(ColumnType.DECIMAL,
                "['-12.500', '0', 'NaN', 'Infinity', '-Infinity', null,"
                        + " '123456789012345678901234567890.000000001', '1E+30', '-0.000001']"));
        // JSON escapes keep the source ASCII; the values are real unicode
        TYPE_SAMPLES.put(ColumnType.TEXT, col(ColumnType.TEXT,
                "['', 'hello', '\\u00fcn\\u00efc\\u00f6d\\u00e9 \\u2713 \\u65e5\\u672c\\u8a9e \\ud83c\\udf89', null,"
                        + " 'line1\\nline2\\ttab', 'quote \\u0022 backslash \\\\']"));
        TYPE_SAMPLES.put(ColumnType.BYTES, col(ColumnType.BYTES, "['', '00ff10', null, 'deadbeef']"));
        TYPE_SAMPLES.put(ColumnType.DATE, col(ColumnType.DATE, "[0, 19000, -1, null, 2147483647, -2147483648]"));
        TYPE_SAMPLES.put(ColumnType.TIMESTAMP, col(ColumnType.TIMESTAMP,
                "['0', '1700000000123456', '-1', null, '9223372036854775807', '-9223372036854775808']"));
        TYPE_SAMPLES.put(ColumnType.TIMESTAMPTZ, col(ColumnType.TIMESTAMPTZ,
                "['0', '1700000000123456', '-62135596800000000', null, '9223372036854775807']"));
        TYPE_SAMPLES.put(ColumnType.TIME, col(ColumnType.TIME,
                "['0', '86399999999', '86400000000', null, '43200000000']"));
        TYPE_SAMPLES.put(ColumnType.INTERVAL, col(ColumnType.INTERVAL,
                "[{'micros': '0', 'days': 0, 'months': 0}, {'micros': '3600000000', 'days': 1, 'months': 14}, null,"
                        + " {'micros': '-1', 'days': -2, 'months': -3}]"));
        TYPE_SAMPLES.put(ColumnType.UUID, col(ColumnType.UUID,
                "['00000000-0000-0000-0000-000000000000', '123e4567-e89b-12d3-a456-426614174000', null,"
                        + " 'ffffffff-ffff-ffff-ffff-ffffffffffff']"));
        TYPE_SAMPLES.put(ColumnType.JSON, col(ColumnType.JSON,
                "['{\\u0022a\\u0022: 1}', 'null', null, '[1, 2.5, {\\u0022b\\u0022: [true, false, null]}]']"));
        TYPE_SAMPLES.put(ColumnType.ARRAY, array(ColumnType.INT32,
                "[{'shape': [3], 'elements': [1, null, 3]}, null, {'shape': [], 'elements': []},"
                        + " {'shape': [1], 'elements': [-7]}]"));
    }

    private static ArrayNode paramsJson(Object... nameTypeValue) {
        ArrayNode out = JSON.arrayNode();
        for (int i = 0; i < nameTypeValue.length; i += 3) {
            ObjectNode p = out.addObject();
            p.put("name", (String) nameTypeValue[i]);
            p.put("type", ((ColumnType) nameTypeValue[i + 1]).name());
            p.set("value", parse((String) nameTypeValue[i + 2]).get(0));
        }
        return out;
    }

    /** A one-row column holding the first value of a JSON list. */
    private static io.extensa.protocol.batch.ColumnVector one(ColumnType type, ColumnType elementType, String json) {
        ColumnBuilder builder = ColumnBuilder.create(type, elementType);
        NeutralValues.append(builder, parse(json).get(0));
        return builder.build();
    }

    private static byte[] secret() {
        byte[] secret = new byte[Hello.SECRET_LENGTH];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) i;
        }
        return secret;
    }

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        String s2e = "satellite->engine";
        String e2s = "engine->satellite";

        cases.add(new Case("hello", s2e, "a satellite's HELLO with job id, 32-byte secret and max_frame")
                .add(new Hello("job-42", secret(), "python", "3.11.2", 12345, FrameHeader.DEFAULT_MAX_PAYLOAD)));
        cases.add(new Case("hello_unit_runs", s2e, "a satellite's HELLO offering unit_runs")
                .add(new Hello("job-43", secret(), "python", "3.11.2", 12346, FrameHeader.DEFAULT_MAX_PAYLOAD, true)));
        cases.add(new Case("hello_key_groups", s2e, "a satellite's HELLO offering unit_runs and key_groups")
                .add(new Hello("job-44", secret(), "python", "3.11.2", 12347, FrameHeader.DEFAULT_MAX_PAYLOAD, true,
                        true)));
        cases.add(new Case("welcome", e2s, "the engine's WELCOME")
                .add(new Welcome(FrameHeader.DEFAULT_MAX_PAYLOAD)));

        String script = "import pandas as pd\n# caf\u00e9 \u2615\nOutputDataSet = InputDataSet\nprint(p1)\n";
        List<ColumnSpec> inputSchema = List.of(
                ColumnSpec.of("id", ColumnType.INT32, "integer"),
                ColumnSpec.of("name", ColumnType.TEXT, "text"),
                ColumnSpec.of("price", ColumnType.DECIMAL, "numeric(12,6)"),
                ColumnSpec.of("feeling", ColumnType.TEXT, "mood"),
                new ColumnSpec("tags", ColumnType.ARRAY, "integer[]", ColumnType.INT32));
        List<Param> params = List.of(
                new Param("p1", ColumnType.INT32, "integer", false, one(ColumnType.INT32, null, "[42]")),
                new Param("model", ColumnType.BYTES, "bytea", true, one(ColumnType.BYTES, null, "[null]")),
                new Param("msg", ColumnType.TEXT, "text", false, one(ColumnType.TEXT, null, "['h\\u00e9llo']")),
                new Param("ratio", ColumnType.FLOAT64, "double precision", false,
                        one(ColumnType.FLOAT64, null, "['NaN']")),
                new Param("since", ColumnType.TIMESTAMPTZ, "timestamptz", false,
                        one(ColumnType.TIMESTAMPTZ, null, "['1700000000000000']")),
                new Param("ids", ColumnType.ARRAY, "bigint[]", false,
                        one(ColumnType.ARRAY, ColumnType.INT64, "[{'shape': [2], 'elements': ['1', null]}]")));
        ArrayNode paramValues = paramsJson("p1", ColumnType.INT32, "[42]", "model", ColumnType.BYTES, "[null]",
                "msg", ColumnType.TEXT, "['h\\u00e9llo']", "ratio", ColumnType.FLOAT64, "['NaN']",
                "since", ColumnType.TIMESTAMPTZ, "['1700000000000000']",
                "ids", ColumnType.ARRAY, "[{'shape': [2], 'elements': ['1', null]}]");
        ((ObjectNode) paramValues.get(5)).put("element_type", ColumnType.INT64.name());
        SessionInit init = new SessionInit(script, "InputDataSet", "OutputDataSet", inputSchema, params, true,
                new SessionOptions(0, 0, 1));
        cases.add(new Case("session_init", e2s, "SESSION_INIT with an input schema, parameters and options")
                .add(init, paramValues));
        cases.add(new Case("session_init_no_input", e2s, "SESSION_INIT without input, parameters or options")
                .add(new SessionInit("print('hi')", "InputDataSet", "OutputDataSet", List.of(), List.of(), false,
                        null), JSON.arrayNode()));

        for (Map.Entry<ColumnType, Column> sample : TYPE_SAMPLES.entrySet()) {
            Column column = sample.getValue();
            int rows = parse(column.values).size();
            cases.add(new Case("batch_" + sample.getKey().name().toLowerCase(), e2s,
                    "INPUT_BATCH of one " + sample.getKey() + " column with NULLs and edge values")
                    .batch(MessageType.INPUT_BATCH, rows, column));
        }
        cases.add(new Case("batch_array_2d", e2s, "INPUT_BATCH of a text[] column with a 2x3 array: shapes present")
                .batch(MessageType.INPUT_BATCH, 5, array(ColumnType.TEXT,
                        "[{'shape': [2, 3], 'elements': ['a', 'b', 'c', 'd', null, 'f']},"
                                + " {'shape': [2], 'elements': ['x', 'y']}, null, {'shape': [], 'elements': []},"
                                + " {'shape': [1, 1, 2], 'elements': ['p', 'q']}]")));
        cases.add(new Case("batch_no_nulls", e2s, "INPUT_BATCH without NULLs: no validity fields")
                .batch(MessageType.INPUT_BATCH, 3, col(ColumnType.INT64, "['1', '2', '3']"),
                        col(ColumnType.FLOAT64, "[1.0, 2.0, 3.0]"), col(ColumnType.TEXT, "['a', 'bb', 'ccc']")));
        cases.add(new Case("batch_empty", e2s, "INPUT_BATCH of zero rows and three columns")
                .batch(MessageType.INPUT_BATCH, 0, col(ColumnType.INT32, "[]"), col(ColumnType.TEXT, "[]"),
                        array(ColumnType.FLOAT64, "[]")));
        cases.add(new Case("batch_zero_columns", e2s, "INPUT_BATCH of five rows and no columns")
                .batch(MessageType.INPUT_BATCH, 5));
        cases.add(new Case("end_of_input", e2s, "END_OF_INPUT of two units")
                .add(new EndOfInput(false, 0)).add(new EndOfInput(true, 1)));
        cases.add(new Case("end_of_input_runs", e2s, "END_OF_INPUT of runs of units (unit_rows): "
                + "units 0-2 of 3, 1 and 5 rows, then units 3-4 of 2 and 0 rows, the last")
                .add(new EndOfInput(false, 0, new long[] {3, 1, 5})).add(new EndOfInput(true, 3, new long[] {2, 0})));
        cases.add(new Case("end_of_input_groups", e2s, "END_OF_INPUT of a share the satellite groups by key (group_by): "
                + "one unit per distinct (column 2, column 0), numbered from 0, the last")
                .add(EndOfInput.grouped(true, 0, new int[] {2, 0})));

        List<ColumnSpec> outputSchema = List.of(
                ColumnSpec.of("id", ColumnType.INT64, "bigint"),
                ColumnSpec.of("score", ColumnType.FLOAT64, "double precision"),
                ColumnSpec.of("label", ColumnType.TEXT, "text"),
                ColumnSpec.of("doc", ColumnType.JSON, "jsonb"),
                new ColumnSpec("words", ColumnType.ARRAY, "text[]", ColumnType.TEXT));
        cases.add(new Case("output_schema", s2e, "OUTPUT_SCHEMA with suggested PostgreSQL types")
                .add(new OutputSchema(outputSchema, false)));
        cases.add(new Case("output_schema_absent", s2e, "OUTPUT_SCHEMA when the script left no output")
                .add(OutputSchema.none()));
        cases.add(new Case("output_batch", s2e, "OUTPUT_BATCH matching output_schema")
                .batch(MessageType.OUTPUT_BATCH, 3, col(ColumnType.INT64, "['1', null, '3']"),
                        col(ColumnType.FLOAT64, "[0.5, 'NaN', null]"), col(ColumnType.TEXT, "['a', null, '']"),
                        col(ColumnType.JSON, "['{}', 'null', null]"),
                        array(ColumnType.TEXT, "[{'shape': [2], 'elements': ['x', null]}, null,"
                                + " {'shape': [], 'elements': []}]")));
        cases.add(new Case("output_end", s2e, "OUTPUT_END").add(new OutputEnd(0, 3)));
        cases.add(new Case("stdout", s2e, "STDOUT lines, an empty one and unicode")
                .add(new Stdout("hello")).add(new Stdout("")).add(new Stdout("\u00e9t\u00e9 \ud83c\udf1e")));
        cases.add(new Case("stderr", s2e, "STDERR line").add(new Stderr("warning: something")));
        List<OutputParam> outputParams = List.of(
                new OutputParam("model", ColumnType.BYTES, "bytea", one(ColumnType.BYTES, null, "['80049500']")),
                new OutputParam("n", ColumnType.INT64, "bigint", one(ColumnType.INT64, null, "['7']")),
                new OutputParam("nothing", ColumnType.TEXT, "text", one(ColumnType.TEXT, null, "[null]")),
                new OutputParam("when", ColumnType.DATE, "date", one(ColumnType.DATE, null, "[19000]")));
        cases.add(new Case("output_params", s2e, "OUTPUT_PARAMS with a bytea model, a number, a NULL and a date")
                .add(new OutputParams(outputParams), paramsJson("model", ColumnType.BYTES, "['80049500']",
                        "n", ColumnType.INT64, "['7']", "nothing", ColumnType.TEXT, "[null]",
                        "when", ColumnType.DATE, "[19000]")));
        cases.add(new Case("error_script", s2e, "ERROR of a script exception with its traceback")
                .add(new ErrorMessage(ErrorKind.SCRIPT.wireName(), "ZeroDivisionError", "division by zero",
                        List.of("Traceback (most recent call last):", "  File \"<script>\", line 3, in <module>",
                                "    x = 1 / 0", "ZeroDivisionError: division by zero"), 3, null)));
        cases.add(new Case("error_unit_key", s2e, "ERROR of a script exception in the unit of key "
                + "(42, 'north', NULL) of an END_OF_INPUT with group_by")
                .add(new ErrorMessage(ErrorKind.SCRIPT.wireName(), "ValueError", "bad group",
                        List.of("Traceback (most recent call last):", "  File \"<script>\", line 2, in <module>",
                                "ValueError: bad group"), 2, null, new io.extensa.protocol.batch.Batch(1, List.of(
                                one(ColumnType.INT32, null, "[42]"), one(ColumnType.TEXT, null, "['north']"),
                                one(ColumnType.DATE, null, "[null]"))))));
        cases.add(new Case("error_protocol", e2s, "ERROR with only kind and message")
                .add(ErrorMessage.of(ErrorKind.PROTOCOL, "frame sequence 5 where 4 was expected")));
        cases.add(new Case("cancel", e2s, "CANCEL").add(new Cancel()));
        cases.add(new Case("heartbeat", e2s, "HEARTBEAT").add(new Heartbeat(1700000000123L)));
        cases.add(new Case("end", s2e, "END").add(new End()));

        cases.add(new Case("session_engine_stream", e2s, "a whole session as the engine sends it")
                .add(new Welcome(FrameHeader.DEFAULT_MAX_PAYLOAD))
                .add(new SessionInit("OutputDataSet = InputDataSet", "InputDataSet", "OutputDataSet",
                        List.of(ColumnSpec.of("x", ColumnType.FLOAT64, "double precision")), List.of(), true, null),
                        JSON.arrayNode())
                .batch(MessageType.INPUT_BATCH, 2, col(ColumnType.FLOAT64, "[1.0, 2.0]"))
                .batch(MessageType.INPUT_BATCH, 1, col(ColumnType.FLOAT64, "[null]"))
                .add(new EndOfInput(true, 0))
                .add(new Heartbeat(1)));
        cases.add(new Case("session_satellite_stream", s2e, "a whole session as the satellite sends it")
                .add(new Hello("job-7", secret(), "python", "3.11.2", 99, FrameHeader.DEFAULT_MAX_PAYLOAD))
                .add(new Stdout("rows: 3"))
                .add(new Stderr("careful"))
                .add(new OutputSchema(List.of(ColumnSpec.of("x", ColumnType.FLOAT64, "double precision")), false))
                .batch(MessageType.OUTPUT_BATCH, 3, col(ColumnType.FLOAT64, "[1.0, 2.0, null]"))
                .add(new OutputEnd(0, 3))
                .add(new OutputParams(List.of()), JSON.arrayNode())
                .add(new End()));

        cases.add(new Case("welcome_loopback", e2s, "WELCOME of an engine that answers loopback QUERYs and offers a loopback socket")
                .add(new Welcome(FrameHeader.DEFAULT_MAX_PAYLOAD, true, "host=/work/jobs/job-42/.extensa-loopback port=5432"
                        + " dbname=extensa user=analyst password=0123456789abcdef sslmode=disable")));
        cases.add(new Case("query", s2e, "QUERY frames: without parameters, then with a text value and a NULL")
                .add(new Query("SELECT id, name FROM a WHERE id > 1", List.of()))
                .add(new Query("SELECT $1::int + 1, $2::text", java.util.Arrays.asList("41", null))));
        cases.add(new Case("query_result", e2s, "a loopback SELECT's answer: QUERY_RESULT, QUERY_BATCH, QUERY_END")
                .add(new QueryResult(List.of(ColumnSpec.of("id", ColumnType.INT32, "integer"),
                        ColumnSpec.of("name", ColumnType.TEXT, "text")), true))
                .batch(MessageType.QUERY_BATCH, 2, col(ColumnType.INT32, "[2, 3]"), col(ColumnType.TEXT, "['b', null]"))
                .add(new QueryEnd("SELECT 2", 2)));
        cases.add(new Case("query_command", e2s, "a loopback command without rows: QUERY_RESULT, QUERY_END")
                .add(new QueryResult(List.of(), false))
                .add(new QueryEnd("INSERT 0 3", 3)));
        cases.add(new Case("query_error", e2s, "QUERY_ERRORs: PostgreSQL's own, then a refused identity change")
                .add(new QueryError("42501", "permission denied for table b", null, null))
                .add(new QueryError("42501", "a loopback statement cannot change the session's identity",
                        "RESET ROLE", "the script runs as the calling user")));

        cases.add(new Case("forkserver_hello", s2e, "a fork server's HELLO: runtime, version, pid only")
                .add(Hello.forkServer("python", "3.11.2", 4242)));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", "/work/jobs/job-9");
        cases.add(new Case("fork", "launchpad->forkserver", "FORK with a two-variable environment")
                .add(new Fork("job-9", "/work/run/jobs/job-9.sock", secret(), "/work/jobs/job-9", env)));
        cases.add(new Case("forked", "forkserver->launchpad", "FORKED").add(new Forked("job-9", 4243)));
        cases.add(new Case("fork_error", "forkserver->launchpad", "ERROR answering a FORK that failed")
                .add(new ErrorMessage(ErrorKind.INTERNAL.wireName(), null, "fork failed: [Errno 11] Resource"
                        + " temporarily unavailable", List.of(), 0, "job-9")));
        cases.add(new Case("child_exited", "forkserver->launchpad", "CHILD_EXITED: an exit code, then a signal")
                .add(new ChildExited("job-9", 4243, 0, 0)).add(new ChildExited("job-10", 4250, -1, 9)));

        Case unknown = new Case("unknown_field_skipped", e2s,
                "HEARTBEAT with an unknown non-critical field before millis: receivers skip it;"
                        + " re-encoding drops it, so the file is not canonical");
        unknown.canonical = false;
        unknown.frames.add(new FrameSpec(MessageType.HEARTBEAT,
                new PayloadBuilder().text(200, "from a newer version").int64(1, 5), null, null));
        cases.add(unknown);
        return cases;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static ByteBuffer le(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }
}
