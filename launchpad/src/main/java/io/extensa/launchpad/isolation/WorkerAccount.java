package io.extensa.launchpad.isolation;

/** The OS account one job's satellite runs as. */
public record WorkerAccount(String name, long uid) {
}
