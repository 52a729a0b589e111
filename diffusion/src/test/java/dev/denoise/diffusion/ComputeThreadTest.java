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
        CompletableFuture<String> running;
        CompletableFuture<String> queued;
        ComputeThread compute = new ComputeThread("test-compute");
        try {
            running = compute.submit(() -> {
                started.countDown();
                Thread.sleep(300);
                return "finished";
            });
            queued = compute.submit(() -> "never");
            assertThat(compute.backlog()).isEqualTo(2);
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            compute.close();
        }
        assertThat(running).isCompletedWithValue("finished");
        assertThat(queued).isCompletedExceptionally();
        assertThatThrownBy(queued::join).isInstanceOf(CancellationException.class);
        assertThat(compute.backlog()).isZero();
        assertThatThrownBy(() -> compute.submit(() -> "late")).isInstanceOf(RejectedExecutionException.class);
    }
}
