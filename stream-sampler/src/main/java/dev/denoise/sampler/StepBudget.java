package dev.denoise.sampler;

import java.util.List;

/**
 * The steps a seed starts with when its request allows fewer ({@code minSteps}): the steps asked
 * for, unless at that count the seeds waiting behind it would start after its request's deadline.
 * Those seeds start as slots free: in ⌈waiting/slots⌉ waves, each as long as a trajectory,
 * {@code steps} × the time one slot takes to advance a step (measured by the batcher). The seed
 * then gets the most steps, among the counts its sampler takes and never below {@code minSteps},
 * at which the last of them would still start in time; when none would, the fewest allowed.
 * Without {@code minSteps}, nothing changes.
 */
final class StepBudget {

    private StepBudget() {
    }

    /**
     * @param requested   the steps asked for (or the model's default)
     * @param minSteps    the fewest the request accepts; 0 when it accepts no fewer
     * @param stepCounts  the only counts the sampler takes, increasing; empty when it takes any
     * @param nowMs       now, on the batcher's clock
     * @param deadlineAtMs when the request's seeds must have started
     * @param waitingBehind the seeds that will still be waiting once this one and those that take
     *                    the free slots now have started
     * @param slots       the slots that turn over for them
     * @param msPerStep   how long one slot takes to advance one step now
     */
    static int steps(int requested, int minSteps, List<Integer> stepCounts, long nowMs, long deadlineAtMs,
                     int waitingBehind, int slots, double msPerStep) {
        if (minSteps <= 0 || minSteps >= requested || waitingBehind == 0 || deadlineAtMs == PendingSeed.NO_DEADLINE) {
            return requested;
        }
        if (inTime(requested, nowMs, deadlineAtMs, waitingBehind, slots, msPerStep)) {
            return requested;
        }
        int fewest = requested;
        for (int steps = requested - 1; steps >= minSteps; steps--) {
            if (!stepCounts.isEmpty() && !stepCounts.contains(steps)) {
                continue;
            }
            if (inTime(steps, nowMs, deadlineAtMs, waitingBehind, slots, msPerStep)) {
                return steps;
            }
            fewest = steps;
        }
        return fewest;
    }

    private static boolean inTime(int steps, long nowMs, long deadlineAtMs, int waitingBehind, int slots,
                                  double msPerStep) {
        int waves = (waitingBehind + Math.max(1, slots) - 1) / Math.max(1, slots);
        return nowMs + waves * steps * msPerStep < deadlineAtMs;
    }
}
