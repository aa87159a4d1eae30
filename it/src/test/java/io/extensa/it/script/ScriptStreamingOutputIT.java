package io.extensa.it.script;

import static io.extensa.it.script.ScriptBasicsIT.exec;
import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.RawPgClient;
import org.junit.jupiter.api.Test;

/** A script's output reaches the client while it runs, not when it ends. */
class ScriptStreamingOutputIT {

    @Test
    void printedLinesArriveAsTheyArePrinted() throws Exception {
        ExtensaStack stack = ExtensaStack.get();
        try (RawPgClient c = RawPgClient.login(stack.port(), "extensa", ExtensaStack.PASSWORD)) {
            long sent = System.nanoTime();
            c.query(exec("import time\nprint('first')\ntime.sleep(3)\nprint('second')", null, ""));
            long first = -1;
            long end = -1;
            while (end < 0) {
                RawPgClient.Message m = c.read();
                long at = (System.nanoTime() - sent) / 1_000_000;
                if (m.type() == 'N' && m.text().contains("first")) {
                    first = at;
                } else if (m.type() == 'Z') {
                    end = at;
                }
            }
            assertThat(first).isNotNegative();
            assertThat(end - first).as("ms between the first line and the end of the call").isGreaterThan(2000);
        }
    }
}
