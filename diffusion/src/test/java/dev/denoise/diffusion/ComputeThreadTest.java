package dev.denoise.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ComputeThreadTest {

    @Test
    void runsAllWorkOnOneThreadInSubmissionOrder() throws Exception {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        try (ComputeThread compute = new ComputeThread("test-compute")) {
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                results.add(compute.submit(() -> {
                    threads.add(Thread.currentThread());
                    order.add(n);
                    return n * n;
                }));
            }
            assertThat(results.get(49).get(10, TimeUnit.SECONDS)).isEqualTo(49 * 49);
        }
        assertThat(threads).hasSize(1);
        assertThat(threads.iterator().next().getName()).isEqualTo("test-compute");
        assertThat(order).isSorted().hasSize(50);
    }

    @Test
    void callRethrowsTheWorksOwnExceptionAndTheThreadKeepsWorking() {
        try (ComputeThread compute = new ComputeThread("test-compute")) {
            assertThatThrownBy(() -> compute.call(() -> {
                throw new IllegalArgumentException("bad weights");
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("bad weights");
            assertThat(compute.call(() -> "still here")).isEqualTo("still here");
        }
    }

    @Test
    void backlogCountsQueuedAndRunningWorkAndCloseFinishesTheRunningOneAndCancelsTheRest() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ComputeThread compute = new ComputeThread("test-compute");
        CompletableFuture<String> running = compute.submit(() -> {
            started.countDown();
            release.await();
            return "finished";
        });
        CompletableFuture<String> queued = compute.submit(() -> "never");
        assertThat(compute.backlog()).isEqualTo(2);
        assertThat(started.await(3, TimeUnit.MINUTES)).as("the first work started").isTrue();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(compute::close);
        assertThatThrownBy(queued::join).as("queued work is cancelled by close")
                .isInstanceOf(CancellationException.class);
        assertThat(running).as("running work is not interrupted").isNotDone();
        release.countDown();
        closing.get(3, TimeUnit.MINUTES);

        assertThat(running).isCompletedWithValue("finished");
        assertThat(compute.backlog()).isZero();
        assertThatThrownBy(() -> compute.submit(() -> "late")).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void workIsOutOfTheBacklogBeforeItsResultIsSeen() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ComputeThread compute = new ComputeThread("test-compute")) {
            compute.submit(() -> release.await(3, TimeUnit.MINUTES)); // holds the thread while the next work is set up
            CompletableFuture<Integer> backlogSeenWithResult = compute.submit(() -> "done").thenApply(done -> compute.backlog());
            CompletableFuture<Integer> backlogSeenWithFailure = compute.submit(() -> {
                throw new IllegalStateException("bad batch");
            }).handle((value, error) -> compute.backlog());
            release.countDown();
            // Both callbacks were registered before their work ran, so they run on the compute thread as it completes.
            assertThat(backlogSeenWithResult.get(3, TimeUnit.MINUTES)).isEqualTo(1); // the failing work is still queued
            assertThat(backlogSeenWithFailure.get(3, TimeUnit.MINUTES)).isZero();
        }
    }
}
