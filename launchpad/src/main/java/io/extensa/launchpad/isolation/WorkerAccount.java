package io.extensa.launchpad.isolation;

/** The OS account one job's satellite runs as; {@code gid} is its primary group. */
public record WorkerAccount(String name, long uid, long gid) {
}
