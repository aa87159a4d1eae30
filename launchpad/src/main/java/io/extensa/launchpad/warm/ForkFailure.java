package io.extensa.launchpad.warm;

import java.io.IOException;

/** A fork server could not fork a child (it answered ERROR, did not answer in time, or died). */
public final class ForkFailure extends IOException {
    private static final long serialVersionUID = 1L;

    public ForkFailure(String message) {
        super(message);
    }
}
