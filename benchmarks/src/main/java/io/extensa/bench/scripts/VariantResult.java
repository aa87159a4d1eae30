package io.extensa.bench.scripts;

import io.extensa.bench.Samples;
import java.util.Optional;

/**
 * What the runner measured for one variant.
 *
 * @param millis  elapsed milliseconds of every timed call
 * @param notRun  why there are no (or not all) numbers: pending, or the error that stopped it
 */
public record VariantResult(Variant variant, Samples millis, Optional<String> notRun) {

    public boolean measured() {
        return notRun.isEmpty() && !millis.isEmpty();
    }
}
