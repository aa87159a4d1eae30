package io.extensa.protocol.message;

import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.protocol.batch.ColumnBuilder;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;
import io.extensa.protocol.wire.Frame;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessagesTest {

    private static Message roundTrip(Message message) throws ProtocolException {
        return Messages.decode(new Frame(message.type(), 0, message.encode().toByteBuffer()));
    }

    private static ColumnVector one(long value) {
        ColumnBuilder b = ColumnBuilder.create(ColumnType.INT64);
        b.appendLong(value);
        return b.build();
    }

    @Test
    void everyMessageRoundTrips() throws ProtocolException {
        byte[] secret = new byte[32];
        secret[3] = 9;
        Map<String, String> env = new LinkedHashMap<>();
        env.put("B", "2");
        env.put("A", "1");
        BatchBuilder batch = BatchBuilder.of(ColumnType.INT32);
        batch.column(0).appendInt(5);
        batch.endRow();
        List<Message> messages = List.of(
                new Hello("j", secret, "python", "3.11", 7, 1024),
                Hello.forkServer("python", "3.11", 8),
                new Welcome(4096),
                new SessionInit("s", "in", "out",
                        List.of(ColumnSpec.of("a", ColumnType.INT32, "integer"),
                                new ColumnSpec("b", ColumnType.ARRAY, null, ColumnType.TEXT)),
                        List.of(new Param("p", ColumnType.INT64, "bigint", true, one(3))), true,
                        new SessionOptions(1000, 1, 4)),
                new SessionInit("s", "in", "out", List.of(), List.of(), false, null),
                new EndOfInput(true, 3),
                new OutputSchema(List.of(ColumnSpec.of("x", ColumnType.JSON, "jsonb")), false),
                OutputSchema.none(),
                new OutputEnd(2, 100),
                new Stdout("out"),
                new Stderr("err"),
                new OutputParams(List.of(new OutputParam("p", ColumnType.INT64, null, one(-1)))),
                new ErrorMessage("script", "ValueError", "bad", List.of("a", "b"), 12, "more"),
                ErrorMessage.of(ErrorKind.CANCELLED, "cancelled"),
                new Cancel(),
                new Heartbeat(5),
                new End(),
                new Fork("j", "/s", secret, "/w", env),
                new Forked("j", 77),
                new ChildExited("j", 77, -1, 9),
                new Welcome(4096, true, null),
                new Welcome(4096, true, "host=/j port=5432 password=t"),
                new Query("SELECT $1, $2", java.util.Arrays.asList("x", null)),
                new QueryResult(List.of(ColumnSpec.of("n", ColumnType.INT64, "bigint")), true),
                new QueryResult(List.of(), false),
                new QueryEnd("INSERT 0 2", 2),
                new QueryError("42501", "denied", "d", "h"),
                new QueryError("42P01", "no table", null, null),
                new EndOfInput(false, 4, new long[] {1, 0, 8192}),
                new Hello("j", secret, "python", "3.11", 7, 1024, true));
        for (Message message : messages) {
            assertThat(roundTrip(message)).as(message.type().name()).isEqualTo(message);
        }
        InputBatch in = (InputBatch) roundTrip(new InputBatch(batch.build()));
        assertThat(in.batch().column(0).getInt(0)).isEqualTo(5);
        OutputBatch out = (OutputBatch) roundTrip(new OutputBatch(batch.build()));
        assertThat(out.batch().rowCount()).isEqualTo(1);
        QueryBatch rows = (QueryBatch) roundTrip(new QueryBatch(batch.build()));
        assertThat(rows.batch().column(0).getInt(0)).isEqualTo(5);
        Fork fork = (Fork) roundTrip(messages.get(17));
        assertThat(fork.env().keySet()).containsExactly("B", "A");
    }

    @Test
    void secretsNeverAppearInToString() {
        byte[] secret = "0123456789abcdef0123456789abcdef".getBytes();
        assertThat(new Hello("j", secret, "python", "3", 1, 0).toString()).doesNotContain("0123456789");
        assertThat(new Fork("j", "/s", secret, "/w", Map.of("K", "value-secret")).toString())
                .doesNotContain("0123456789").doesNotContain("value-secret");
    }

    @Test
    void recordsCopyTheSecret() {
        byte[] secret = new byte[32];
        Hello hello = new Hello("j", secret, "python", "3", 1, 0);
        secret[0] = 1;
        assertThat(hello.secret()[0]).isZero();
    }

    @Test
    void requiredFieldsAreEnforced() {
        assertThatThrownBy(() -> decode(MessageType.WELCOME, new PayloadBuilder()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("max_frame");
        assertThatThrownBy(() -> decode(MessageType.SESSION_INIT, new PayloadBuilder().text(1, "s")))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("input_name");
        assertThatThrownBy(() -> decode(MessageType.ERROR, new PayloadBuilder().text(1, "script")))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("message");
        assertThatThrownBy(() -> decode(MessageType.HELLO, new PayloadBuilder().text(1, "job").text(3, "py")
                .text(4, "1").int64(5, 1))).isInstanceOf(ProtocolException.class).hasMessageContaining("secret");
    }

    @Test
    void semanticMistakesAreRejected() {
        assertThatThrownBy(() -> decode(MessageType.SESSION_INIT, new PayloadBuilder().text(1, "s").text(2, "i")
                .text(3, "o").beginStruct(4).text(1, "c").int64(2, 3).endStruct().bool(6, false)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("has_input is false");
        assertThatThrownBy(() -> decode(MessageType.OUTPUT_SCHEMA, new PayloadBuilder()
                .beginStruct(1).text(1, "c").int64(2, 17).endStruct().bool(2, false)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("element type");
        assertThatThrownBy(() -> decode(MessageType.FORK, new PayloadBuilder().text(1, "j").text(2, "/s")
                .bytes(3, new byte[32]).text(4, "/w").beginStruct(5).text(1, "A").text(2, "1").endStruct()
                .beginStruct(5).text(1, "A").text(2, "2").endStruct()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> decode(MessageType.SESSION_INIT, new PayloadBuilder().text(1, "s").text(2, "i")
                .text(3, "o").bool(6, false).beginStruct(7).int64(2, 5).int64(3, 2).endStruct()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("task_index=5");
        assertThatThrownBy(() -> decode(MessageType.QUERY, new PayloadBuilder()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("sql");
        assertThatThrownBy(() -> decode(MessageType.QUERY_ERROR, new PayloadBuilder().text(1, "425").text(2, "m")))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("five characters");
        assertThatThrownBy(() -> decode(MessageType.QUERY_RESULT, new PayloadBuilder()
                .beginStruct(1).text(1, "c").int64(2, 3).endStruct().bool(2, false)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("returns no rows");
        assertThatThrownBy(() -> decode(MessageType.LAUNCH, new PayloadBuilder()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("launch-control");
    }

    @Test
    void unitRowsMustBeWholeNonNegativeCounts() throws ProtocolException {
        assertThatThrownBy(() -> decode(MessageType.END_OF_INPUT, new PayloadBuilder().bool(1, true).int64(2, 0)
                .bytes(3, new byte[4]))).isInstanceOf(ProtocolException.class).hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> decode(MessageType.END_OF_INPUT, new PayloadBuilder().bool(1, true).int64(2, 0)
                .bytes(3, new byte[0]))).isInstanceOf(ProtocolException.class).hasMessageContaining("multiple of 8");
        byte[] negative = new byte[8];
        java.util.Arrays.fill(negative, (byte) 0xFF);
        assertThatThrownBy(() -> decode(MessageType.END_OF_INPUT, new PayloadBuilder().bool(1, true).int64(2, 0)
                .bytes(3, negative))).isInstanceOf(ProtocolException.class).hasMessageContaining("negative");
        EndOfInput run = (EndOfInput) roundTrip(new EndOfInput(true, 2, new long[] {3, 5}));
        assertThat(run.unitRows()).containsExactly(3, 5);
        assertThat(run.unitCount()).isEqualTo(2);
        assertThat(new EndOfInput(true, 2).unitCount()).isEqualTo(1);
        assertThat(((Hello) roundTrip(new Hello("j", new byte[32], "python", "3", 1, 0))).unitRuns()).isFalse();
    }

    @Test
    void groupedUnitsNameTheirKeyColumnsAndAFailingUnitItsKey() throws ProtocolException {
        EndOfInput grouped = (EndOfInput) roundTrip(EndOfInput.grouped(true, 0, new int[] {3, 1}));
        assertThat(grouped.groupBy()).containsExactly(3, 1);
        assertThat(grouped.unitCount()).isEqualTo(-1);
        assertThat(new EndOfInput(true, 0).groupBy()).isNull();
        assertThatThrownBy(() -> decode(MessageType.END_OF_INPUT, new PayloadBuilder().bool(1, true).int64(2, 0)
                .bytes(3, new byte[8]).int64(4, 0))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("both unit_rows and group_by");
        assertThatThrownBy(() -> decode(MessageType.END_OF_INPUT, new PayloadBuilder().bool(1, true).int64(2, 0)
                .int64(4, -1))).isInstanceOf(ProtocolException.class).hasMessageContaining("group_by");
        Hello hello = (Hello) roundTrip(new Hello("j", new byte[32], "python", "3", 1, 0, true, true));
        assertThat(hello.keyGroups()).isTrue();
        assertThat(((Hello) roundTrip(new Hello("j", new byte[32], "python", "3", 1, 0, true))).keyGroups()).isFalse();
        ColumnBuilder key = ColumnBuilder.create(ColumnType.INT32);
        key.appendInt(42);
        Batch oneRow = new Batch(1, List.of(key.build()));
        ErrorMessage failed = (ErrorMessage) roundTrip(new ErrorMessage("script", "ValueError", "bad", List.of(), 2,
                null, oneRow));
        assertThat(failed.unitKey()).isEqualTo(oneRow);
        assertThat(failed.unitKey().column(0).getInt(0)).isEqualTo(42);
        assertThat(((ErrorMessage) roundTrip(ErrorMessage.of(ErrorKind.SCRIPT, "x"))).unitKey()).isNull();
    }

    @Test
    void unknownErrorKindsAreKeptButReadAsInternal() throws ProtocolException {
        ErrorMessage e = (ErrorMessage) roundTrip(new ErrorMessage("quantum", null, "m", List.of(), 0, null));
        assertThat(e.kind()).isEqualTo("quantum");
        assertThat(e.errorKind()).isEqualTo(ErrorKind.INTERNAL);
        assertThat(ErrorKind.fromWireName("cancelled")).contains(ErrorKind.CANCELLED);
    }

    private static Message decode(MessageType type, PayloadBuilder payload) throws ProtocolException {
        return Messages.decode(new Frame(type, 0, payload.toByteBuffer()));
    }
}
