package io.extensa.bench;

import io.extensa.bench.relay.RelaySuite;
import io.extensa.bench.scripts.InputSuite;
import io.extensa.bench.scripts.InsertSuite;
import io.extensa.bench.scripts.MeansSuite;
import io.extensa.bench.scripts.PartitionsSuite;
import io.extensa.bench.scripts.StreamingSuite;
import io.extensa.bench.scripts.TrivialSuite;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Every suite the harness knows, in the order a full run executes them.
 *
 * <p>Extension point: later issues add their suites here, one line each, e.g. {@code sandbox}
 * (trivial call cold vs warm with each sandbox layer). Script suites build on {@link io.extensa.bench.scripts.VariantRunner}
 * and {@link io.extensa.bench.scripts.ExtensaScript}.
 */
public final class Suites {

    private static final Map<String, Supplier<Suite>> ALL = new LinkedHashMap<>();

    static {
        register(RelaySuite::new);
        register(TrivialSuite::new);
        register(MeansSuite::new);
        register(InsertSuite::new);
        register(PartitionsSuite::new);
        register(StreamingSuite::new);
        register(InputSuite::new);
    }

    private Suites() {
    }

    private static void register(Supplier<Suite> factory) {
        ALL.put(factory.get().name(), factory);
    }

    public static Set<String> names() {
        return ALL.keySet();
    }

    public static Optional<Suite> create(String name) {
        return Optional.ofNullable(ALL.get(name)).map(Supplier::get);
    }
}
