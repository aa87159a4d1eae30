package io.extensa.protocol.golden;

import com.fasterxml.jackson.databind.JsonNode;
import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;
import io.extensa.protocol.message.Message;
import io.extensa.protocol.message.Messages;
import io.extensa.protocol.message.OutputParams;
import io.extensa.protocol.message.SessionInit;
import io.extensa.protocol.wire.Frame;
import io.extensa.protocol.wire.FrameHeader;
import io.extensa.protocol.wire.FrameReader;
import io.extensa.protocol.wire.FrameWriter;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.ProtocolException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Decodes every golden file, compares it with its description, re-encodes it byte for byte, and
 * checks that the generator still produces exactly the committed files.
 */
class GoldenFilesTest {

    private static final Path DIR = GoldenFiles.testdataDir();

    @Test
    void committedFilesMatchTheGenerator() throws IOException {
        List<GoldenFiles.Rendered> rendered = GoldenFiles.render();
        for (GoldenFiles.Rendered file : rendered) {
            Path bin = DIR.resolve(file.name() + ".bin");
            assertThat(bin).as("run GoldenFiles.main to regenerate").exists();
            assertThat(Files.readAllBytes(bin)).as(file.name() + ".bin is stale; run GoldenFiles.main")
                    .isEqualTo(file.bin());
            assertThat(GoldenFiles.MAPPER.readTree(DIR.resolve(file.name() + ".json").toFile()))
                    .as(file.name() + ".json is stale; run GoldenFiles.main")
                    .isEqualTo(GoldenFiles.MAPPER.readTree(file.json()));
        }
        try (Stream<Path> files = Files.list(DIR)) {
            assertThat(files.filter(p -> p.toString().endsWith(".bin")).count())
                    .as("no stray golden files").isEqualTo(rendered.stream().filter(r -> !r.name().contains("/")).count());
        }
    }

    @TestFactory
    Stream<DynamicTest> everyValidFileDecodesAndReencodes() throws IOException {
        return goldenNames(DIR).map(name -> DynamicTest.dynamicTest(name, () -> checkValid(name)));
    }

    @TestFactory
    Stream<DynamicTest> everyInvalidFileIsRejected() throws IOException {
        return goldenNames(DIR.resolve("invalid")).map(name -> DynamicTest.dynamicTest(name, () -> {
            byte[] bytes = Files.readAllBytes(DIR.resolve("invalid").resolve(name + ".bin"));
            Throwable thrown = catchThrowable(() -> decodeAll(bytes));
            assertThat(thrown).as(name).isNotNull();
            assertThat(thrown).as(name).isInstanceOfAny(ProtocolException.class, EOFException.class);
        }));
    }

    @Test
    void filesCoverEveryMessageAndColumnType() throws IOException {
        Set<MessageType> messages = EnumSet.noneOf(MessageType.class);
        Set<ColumnType> columnsWithNulls = EnumSet.noneOf(ColumnType.class);
        for (String name : goldenNames(DIR).toList()) {
            for (Frame frame : readFrames(Files.readAllBytes(DIR.resolve(name + ".bin")))) {
                messages.add(frame.type());
                if (frame.type() == MessageType.INPUT_BATCH || frame.type() == MessageType.OUTPUT_BATCH
                        || frame.type() == MessageType.QUERY_BATCH) {
                    for (ColumnVector column : Batch.decode(frame).columns()) {
                        if (column.nullCount() > 0) {
                            columnsWithNulls.add(column.type());
                        }
                    }
                }
            }
        }
        Set<MessageType> expected = EnumSet.allOf(MessageType.class);
        expected.removeAll(EnumSet.of(MessageType.LAUNCH,
                MessageType.LAUNCHED, MessageType.EXITED, MessageType.CANCEL_JOB, MessageType.STATUS_REQUEST,
                MessageType.STATUS, MessageType.POOLS, MessageType.POOLS_APPLIED, MessageType.ACTIVATE,
                MessageType.ACTIVATED));
        assertThat(messages).containsAll(expected);
        assertThat(columnsWithNulls).containsExactlyInAnyOrder(ColumnType.values());
    }

    private void checkValid(String name) throws IOException {
        byte[] bytes = Files.readAllBytes(DIR.resolve(name + ".bin"));
        JsonNode json = GoldenFiles.MAPPER.readTree(DIR.resolve(name + ".json").toFile());
        List<Frame> frames = readFrames(bytes);
        JsonNode expectedFrames = json.get("frames");
        assertThat(frames).hasSize(expectedFrames.size());
        ByteArrayOutputStream reencoded = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(GoldenFiles.gathering(Channels.newChannel(reencoded)),
                FrameHeader.DEFAULT_MAX_PAYLOAD);
        for (int i = 0; i < frames.size(); i++) {
            Frame frame = frames.get(i);
            JsonNode expected = expectedFrames.get(i);
            assertThat(frame.type().name()).isEqualTo(expected.get("type").textValue());
            assertThat(frame.type().code()).isEqualTo(expected.get("code").intValue());
            assertThat(frame.sequence()).isEqualTo(expected.get("sequence").intValue());
            assertThat(frame.payload().remaining()).isEqualTo(expected.get("length").intValue());
            assertThat(FieldTree.describe(frame.fields())).isEqualTo(expected.get("fields"));
            Message message = Messages.decode(frame);
            if (expected.has("batch")) {
                checkBatch(Batch.decode(frame), expected.get("batch"));
            }
            if (expected.has("params")) {
                checkParams(message, expected.get("params"));
            }
            Messages.write(writer, message);
        }
        if (json.get("canonical").booleanValue()) {
            assertThat(reencoded.toByteArray()).isEqualTo(bytes);
        }
    }

    private static void checkBatch(Batch batch, JsonNode expected) {
        assertThat(batch.rowCount()).isEqualTo(expected.get("row_count").intValue());
        assertThat(batch.columnCount()).isEqualTo(expected.get("columns").size());
        for (int c = 0; c < batch.columnCount(); c++) {
            JsonNode column = expected.get("columns").get(c);
            ColumnType type = ColumnType.valueOf(column.get("type").textValue());
            ColumnType elementType = column.has("element_type")
                    ? ColumnType.valueOf(column.get("element_type").textValue()) : null;
            assertThat(batch.column(c).type()).isEqualTo(type);
            if (elementType != null) {
                assertThat(batch.column(c).child().type()).isEqualTo(elementType);
            }
            List<JsonNode> want = new ArrayList<>();
            column.get("values").forEach(v -> want.add(NeutralValues.normalize(type, elementType, v)));
            List<JsonNode> got = new ArrayList<>();
            NeutralValues.values(batch.column(c)).forEach(got::add);
            assertThat(got).isEqualTo(want);
        }
    }

    private static void checkParams(Message message, JsonNode expected) {
        List<String> names = new ArrayList<>();
        List<ColumnVector> values = new ArrayList<>();
        if (message instanceof SessionInit init) {
            init.params().forEach(p -> {
                names.add(p.name());
                values.add(p.value());
            });
        } else if (message instanceof OutputParams out) {
            out.params().forEach(p -> {
                names.add(p.name());
                values.add(p.value());
            });
        }
        assertThat(names).hasSize(expected.size());
        for (int i = 0; i < names.size(); i++) {
            JsonNode param = expected.get(i);
            ColumnType type = ColumnType.valueOf(param.get("type").textValue());
            ColumnType elementType = param.has("element_type")
                    ? ColumnType.valueOf(param.get("element_type").textValue()) : null;
            assertThat(names.get(i)).isEqualTo(param.get("name").textValue());
            assertThat(values.get(i).type()).isEqualTo(type);
            assertThat(NeutralValues.value(values.get(i), 0))
                    .isEqualTo(NeutralValues.normalize(type, elementType, param.get("value")));
        }
    }

    static List<Frame> readFrames(byte[] bytes) throws IOException {
        FrameReader reader = new FrameReader(Channels.newChannel(new ByteArrayInputStream(bytes)),
                FrameHeader.DEFAULT_MAX_PAYLOAD);
        List<Frame> frames = new ArrayList<>();
        for (Frame frame = reader.read(); frame != null; frame = reader.read()) {
            frames.add(frame);
        }
        return frames;
    }

    private static void decodeAll(byte[] bytes) throws IOException {
        for (Frame frame : readFrames(bytes)) {
            Messages.decode(frame);
        }
    }

    private static Stream<String> goldenNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".bin"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().toList().stream();
        }
    }

    @Test
    void invalidFilesAreNotAcceptedByAccident() {
        assertThatThrownBy(() -> decodeAll(new byte[] {1, 2, 3})).isInstanceOf(EOFException.class);
    }
}
