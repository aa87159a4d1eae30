package io.extensa.bench.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.bench.BenchContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VariantRunnerTest {

    /** Records the order of calls; fails on the given call if asked to. */
    private static final class Recording extends Variant {
        private final List<String> log;
        private final int failOnCall;
        private int calls;
        boolean closed;

        Recording(String label, List<String> log, int failOnCall) {
            super(label, Side.PEER, "direct", "SELECT " + label);
            this.log = log;
            this.failOnCall = failOnCall;
        }

        @Override
        public void warmUp() {
            log.add("warm " + label());
        }

        @Override
        public double runOnceMillis() {
            calls++;
            if (calls == failOnCall) {
                throw new IllegalStateException("broke on call " + calls + "\nsecond line");
            }
            log.add(label());
            return calls;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final BenchContext context = new BenchContext(null, true);

    @Test
    void variantsTakeTurnsInRotatingOrderAfterWarmingUp() {
        List<String> log = new ArrayList<>();
        var a = new Recording("a", log, 0);
        var b = new Recording("b", log, 0);
        List<VariantResult> results = VariantRunner.run(context, "test", List.of(a, b), new VariantRunner.Plan(2, 2, 1));
        assertThat(log).containsExactly("warm a", "a", "warm b", "b", "a", "a", "b", "b", "b", "b", "a", "a");
        assertThat(results.get(0).millis().values()).containsExactly(2.0, 3.0, 4.0, 5.0);
        assertThat(results).allMatch(VariantResult::measured);
        assertThat(a.closed && b.closed).isTrue();
    }

    @Test
    void preparationRunsBeforeEveryCallIncludingTheWarmUp() {
        List<String> log = new ArrayList<>();
        Variant a = new Recording("a", log, 0).before(() -> log.add("truncate"));
        VariantRunner.run(context, "test", List.of(a), new VariantRunner.Plan(2, 1, 0));
        assertThat(log).containsExactly("truncate", "warm a", "truncate", "a", "truncate", "a");
    }

    @Test
    void aFailingVariantIsReportedAndTheOthersGoOn() {
        List<String> log = new ArrayList<>();
        var broken = new Recording("broken", log, 2);
        var fine = new Recording("fine", log, 0);
        Variant pending = Variant.pending("extensa", Side.EXTENSA, "gateway", "EXEC ...", ExtensaScript.PENDING);
        List<VariantResult> results = VariantRunner.run(context, "test", List.of(pending, broken, fine),
                new VariantRunner.Plan(3, 1, 0));
        assertThat(results.get(0).notRun()).contains(ExtensaScript.PENDING);
        assertThat(results.get(1).notRun()).contains("failed: broke on call 2");
        assertThat(results.get(1).measured()).isFalse();
        assertThat(results.get(2).millis().count()).isEqualTo(3);
        assertThat(broken.closed).isTrue();
    }
}
