package dev.denoise.testsupport;

import java.time.Duration;

/**
 * Waits for a state that another thread or process brings about, instead of sleeping for a guess
 * or asserting how far that thread has got. The bound only ends a test whose state never comes:
 * it is minutes, so a loaded machine makes a test slower, never red.
 */
public final class Await {
    /** How long a state may take to arrive before the test fails. */
    public static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final long POLL_MS = 20;

    /** A state to wait for; it may throw, e.g. when it is read over HTTP. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    /** Returns once {@code condition} holds; fails naming {@code what} if it does not within {@link #PATIENCE}. */
    public static void until(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Waited " + PATIENCE.toMinutes() + " minutes for " + what + "; it did not happen");
            }
            Thread.sleep(POLL_MS);
        }
    }
}
