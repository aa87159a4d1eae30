package io.extensa.bench.scripts;

import io.extensa.bench.BenchContext;
import io.extensa.bench.Samples;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Times variants side by side: each is warmed up, then in every round each variant runs its
 * calls in turn, the order rotating from round to round, so that drift (a neighbour's load, the
 * page cache, checkpoints) reaches all sides alike. A variant that fails is reported with its
 * error and left out of later rounds; the others go on.
 */
public final class VariantRunner {

    /**
     * @param rounds        how many times every variant gets its turn
     * @param callsPerRound timed calls per turn (1 for long operations, more for latency)
     * @param warmUpCalls   untimed calls after {@link Variant#warmUp()}
     */
    public record Plan(int rounds, int callsPerRound, int warmUpCalls) {
        public int calls() {
            return rounds * callsPerRound;
        }
    }

    private VariantRunner() {
    }

    public static List<VariantResult> run(BenchContext context, String suite, List<Variant> variants, Plan plan) {
        Map<Variant, Samples> samples = new LinkedHashMap<>();
        Map<Variant, String> stopped = new LinkedHashMap<>();
        for (Variant variant : variants) {
            samples.put(variant, new Samples());
            Optional<String> pending = variant.pending();
            if (pending.isPresent()) {
                stopped.put(variant, pending.get());
                continue;
            }
            try {
                context.progress(suite, "warm-up: " + variant.label() + " (" + variant.path() + ")");
                variant.beforeEach();
                variant.warmUp();
                for (int i = 0; i < plan.warmUpCalls(); i++) {
                    variant.beforeEach();
                    variant.runOnceMillis();
                }
            } catch (Exception e) {
                stopped.put(variant, "failed: " + describe(e));
                context.progress(suite, variant.label() + " failed in warm-up: " + describe(e));
            }
        }
        List<Variant> active = new ArrayList<>(variants);
        active.removeIf(stopped::containsKey);
        for (int round = 0; round < plan.rounds(); round++) {
            for (Variant variant : rotated(active, round)) {
                if (stopped.containsKey(variant)) {
                    continue;
                }
                try {
                    for (int call = 0; call < plan.callsPerRound(); call++) {
                        variant.beforeEach();
                        samples.get(variant).add(variant.runOnceMillis());
                    }
                } catch (Exception e) {
                    stopped.put(variant, "failed: " + describe(e));
                    context.progress(suite, variant.label() + " failed: " + describe(e));
                }
            }
            context.progress(suite, "round " + (round + 1) + "/" + plan.rounds() + " done");
        }
        List<VariantResult> results = new ArrayList<>();
        for (Variant variant : variants) {
            results.add(new VariantResult(variant, samples.get(variant), Optional.ofNullable(stopped.get(variant))));
            try {
                variant.close();
            } catch (Exception e) {
                context.progress(suite, "could not close " + variant.label() + ": " + describe(e));
            }
        }
        return results;
    }

    static <T> List<T> rotated(List<T> items, int by) {
        List<T> rotated = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            rotated.add(items.get((i + by) % items.size()));
        }
        return rotated;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse(message).strip();
    }
}
