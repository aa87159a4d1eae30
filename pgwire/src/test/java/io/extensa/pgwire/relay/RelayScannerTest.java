package io.extensa.pgwire.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.pgwire.message.PgBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RelayScannerTest {

    @Test
    void findsEveryBoundaryWhateverTheChunking() {
        PgBuffer stream = new PgBuffer();
        stream.begin('T').putShort(0).end();
        stream.begin('D').putShort(1).putInt(70_000).put(new byte[70_000]).end();
        stream.begin('S').putCString("TimeZone").putCString("UTC").end();
        stream.begin('C').putCString("SELECT 1").end();
        stream.begin('Z').put('T').end();
        byte[] bytes = stream.toByteArray();
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            RelayScanner scanner = new RelayScanner();
            List<String> seen = new ArrayList<>();
            int pos = 0;
            while (pos < bytes.length) {
                int n = Math.min(bytes.length - pos, 1 + random.nextInt(trial % 2 == 0 ? 7 : 9000));
                scanner.scan(ByteBuffer.wrap(bytes, pos, n), (type, body) ->
                        seen.add((char) type + (body == null ? "" : ":" + new String(body).replace('\0', '|'))));
                pos += n;
            }
            assertThat(seen).containsExactly("T", "D", "S:TimeZone|UTC|", "C", "Z:T");
            assertThat(scanner.midMessage()).isFalse();
        }
    }
}
