package dev.denoise.diffusion;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one thread of a process that runs model work (loading, checks, forward passes); other
 * threads hand it work and carry on.
 *
 * <p>Why one thread: PyTorch's CPU build runs ops on libgomp, which gives every thread that
 * starts a parallel op its own team of worker threads. Once a process has more such workers
 * than cores, libgomp stops spinning between ops and puts them to sleep instead, and every
 * forward pass in the process gets slower for good (measured here: ~10 % fewer images/s, 1.7
 * instead of 2.0 busy cores, as soon as a second thread had sampled once). On a GPU it also
 * keeps kernel launches on one stream. Work runs in submission order.
 */
public final class ComputeThread implements AutoCloseable {
    private final ThreadPoolExecutor executor;
    private final AtomicInteger backlog = new AtomicInteger();

    public ComputeThread(String name) {
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Queues {@code work}; the future completes with its result or its exception, or with a
     * {@link CancellationException} if the thread closes before the work started.
     */
    public <T> CompletableFuture<T> submit(Callable<T> work) {
        Task<T> task = new Task<>(work);
        backlog.incrementAndGet();
        try {
            executor.execute(task);
        } catch (RuntimeException e) {
            backlog.decrementAndGet();
            throw e;
        }
        return task.result;
    }

    /** Runs {@code work} on this thread and waits for it; its exception is rethrown as is. */
    public <T> T call(Callable<T> work) {
        try {
            return submit(work).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the compute thread", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new CompletionException(cause);
        }
    }

    /** Work submitted and not finished yet, running or queued. */
    public int backlog() {
        return backlog.get();
    }

    /**
     * Lets the running work finish, cancels what is still queued, then ends the thread (which
     * frees its OpenMP team).
     */
    @Override
    public void close() {
        executor.shutdown();
        List<Runnable> queued = new ArrayList<>();
        executor.getQueue().drainTo(queued);
        queued.forEach(task -> ((Task<?>) task).cancel());
        try {
            if (!executor.awaitTermination(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("compute thread did not finish its work within 5 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Task<T> implements Runnable {
        private final Callable<T> work;
        private final CompletableFuture<T> result = new CompletableFuture<>();

        private Task(Callable<T> work) {
            this.work = work;
        }

        /** Leaves the backlog before completing: whoever sees the result also sees a backlog without it. */
        @Override
        public void run() {
            T value;
            try {
                value = work.call();
            } catch (Throwable e) {
                backlog.decrementAndGet();
                result.completeExceptionally(e);
                return;
            }
            backlog.decrementAndGet();
            result.complete(value);
        }

        private void cancel() {
            backlog.decrementAndGet();
            result.completeExceptionally(new CancellationException("the compute thread closed before this work started"));
        }
    }
}
