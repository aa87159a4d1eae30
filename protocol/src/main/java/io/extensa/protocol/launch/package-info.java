/**
 * The launch-control wire format between the engine and the launchpad (LAUNCH, LAUNCHED, EXITED,
 * CANCEL_JOB, ERROR, STATUS_REQUEST, STATUS), the launchpad's fork-server channel (HELLO, FORK,
 * FORKED, CHILD_EXITED), and the client the engine uses. Frames are those of
 * {@link io.extensa.protocol.wire}; the messages are specified in {@code docs/launchpad.md}.
 */
package io.extensa.protocol.launch;
