package io.extensa.pgwire.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResponseTrackerTest {

    private final ResponseTracker tracker = new ResponseTracker();

    @Test
    void knowsWhetherThePipelineExecutedAStatementSinceItsLastSync() {
        assertThat(tracker.executedSinceSync()).isFalse();
        // a statement prepared or described, or a Close, executes nothing
        for (char c : "PDC".toCharArray()) {
            tracker.sent(c);
        }
        assertThat(tracker.executedSinceSync()).isFalse();
        // pgjdbc's BEGIN ahead of a transaction's first statement
        for (char c : "PBE".toCharArray()) {
            tracker.sent(c);
        }
        assertThat(tracker.executedSinceSync()).isTrue();
        tracker.sent('S');
        assertThat(tracker.executedSinceSync()).isFalse();
        tracker.sent('F');
        assertThat(tracker.executedSinceSync()).isTrue();
        tracker.sent('Q');
        assertThat(tracker.executedSinceSync()).as("a simple query ends with its own ReadyForQuery").isFalse();
    }

    @Test
    void simpleQueryEndsAtReadyForQueryNotAtErrors() {
        tracker.sent('Q');
        assertThat(tracker.received('T')).isFalse();
        assertThat(tracker.received('D')).isFalse();
        assertThat(tracker.received('E')).isFalse();
        assertThat(tracker.pending()).isEqualTo(1);
        assertThat(tracker.received('Z')).isTrue();
    }

    @Test
    void extendedPipelineClosesUnitByUnit() {
        for (char c : "PBDES".toCharArray()) {
            tracker.sent(c);
        }
        tracker.sent('H');
        assertThat(tracker.pending()).isEqualTo(5);
        tracker.received('1');
        tracker.received('2');
        tracker.received('N');
        tracker.received('T');
        tracker.received('D');
        assertThat(tracker.pending()).isEqualTo(2);
        tracker.received('C');
        assertThat(tracker.endsWithSync()).isTrue();
        assertThat(tracker.received('Z')).isTrue();
    }

    @Test
    void errorSkipsEverythingUpToTheQueuedSync() {
        for (char c : "PBEPBES".toCharArray()) {
            tracker.sent(c);
        }
        tracker.received('1');
        tracker.received('E');
        assertThat(tracker.pending()).isEqualTo(1);
        assertThat(tracker.skippingUntilSync()).isFalse();
        assertThat(tracker.received('Z')).isTrue();
    }

    @Test
    void errorBeforeTheSyncWasSentSkipsLaterMessagesToo() {
        tracker.sent('P');
        tracker.sent('B');
        tracker.received('E');
        assertThat(tracker.skippingUntilSync()).isTrue();
        tracker.sent('E');
        tracker.sent('P');
        assertThat(tracker.pending()).isZero();
        tracker.sent('S');
        assertThat(tracker.pending()).isEqualTo(1);
        tracker.received('Z');
        assertThat(tracker.skippingUntilSync()).isFalse();
    }

    @Test
    void asynchronousMessagesCloseNothing() {
        tracker.sent('Q');
        tracker.received('A');
        tracker.received('S');
        tracker.received('N');
        assertThat(tracker.pending()).isEqualTo(1);
    }

    @Test
    void copyInsideExecuteEndsWithCommandComplete() {
        tracker.sent('P');
        tracker.sent('B');
        tracker.sent('E');
        tracker.sent('H');
        tracker.received('1');
        tracker.received('2');
        tracker.received('G');
        tracker.sent('d');
        tracker.sent('c');
        assertThat(tracker.pending()).isEqualTo(1);
        assertThat(tracker.endsWithSync()).isFalse();
        assertThat(tracker.received('C')).isTrue();
    }

    @Test
    void growsBeyondItsInitialCapacity() {
        for (int i = 0; i < 1000; i++) {
            tracker.sent('P');
        }
        for (int i = 0; i < 999; i++) {
            tracker.received('1');
        }
        assertThat(tracker.pending()).isEqualTo(1);
    }
}
