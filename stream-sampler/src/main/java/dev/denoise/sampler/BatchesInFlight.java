package dev.denoise.sampler;

import java.time.Duration;

/**
 * Batches the instance's tasks have handed to the compute thread and not yet emitted. A graceful
 * stop closes it to new batches and waits for these to be emitted, so that the work they hold is
 * committed instead of being sampled again by the next instance.
 */
final class BatchesInFlight {
    private int count;
    private boolean draining;

    /** Counts a new batch, unless the instance is stopping. */
    synchronized boolean tryStart() {
        if (draining) {
            return false;
        }
        count++;
        return true;
    }

    /** A batch was emitted, failed, or left behind for another instance. */
    synchronized void finished() {
        count--;
        notifyAll();
    }

    /** Batches counted now; never negative. */
    synchronized int size() {
        return count;
    }

    /** Takes no new batches, then waits up to {@code timeout} for the running ones; false if they did not finish. */
    synchronized boolean drain(Duration timeout) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
