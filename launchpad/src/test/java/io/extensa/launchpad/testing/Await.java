package io.extensa.launchpad.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition; deadlines are generous because tests check outcomes, not speed. */
public final class Await {

    private Await() {
    }

    public static boolean until(BooleanSupplier condition, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }
}
