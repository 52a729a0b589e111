package dev.denoise.sampler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Accepted seeds without a slot yet, a queue per request, in the order the requests arrived.
 * Free slots go to requests by stride scheduling (Waldspurger and Weihl, 1995): each request
 * has a pass that grows by 1/priority with every seed it is given, and the next slot goes to the
 * lowest pass, so a priority-2 request gets two slots for each one of a priority-1 request and a
 * request of many seeds cannot starve one of few. A request starts at the pass of the last seed
 * given out, so it gets no credit for the time before it arrived.
 */
final class WaitingSeeds {
    private final Map<Key, Request> requests = new LinkedHashMap<>();
    private double virtualTime;
    private long arrivals;
    private int size;

    private record Key(ContinuousBatcher.Owner owner, String requestId) {}

    /** One request's waiting seeds and its place in the fair order. */
    static final class Request {
        final ContinuousBatcher.Owner owner;
        final String requestId;
        final int priority;
        final long deadlineAtMs;
        final long acceptedAtMs;
        private final long arrival;
        private final ArrayDeque<PendingSeed> seeds = new ArrayDeque<>();
        private double pass;
        /** Whether an image of it is done, for the time-to-first-image metric (the batcher's, under its lock). */
        boolean answered;

        private Request(ContinuousBatcher.Owner owner, PendingSeed first, long arrival, double pass) {
            this.owner = owner;
            this.requestId = first.requestId();
            this.priority = Math.max(1, first.priority());
            this.deadlineAtMs = first.deadlineAtMs();
            this.acceptedAtMs = first.acceptedAtMs();
            this.arrival = arrival;
            this.pass = pass;
        }

        PendingSeed head() {
            return seeds.peekFirst();
        }

        int size() {
            return seeds.size();
        }
    }

    void add(ContinuousBatcher.Owner owner, PendingSeed seed) {
        requests.computeIfAbsent(new Key(owner, seed.requestId()), k -> new Request(owner, seed, arrivals++, virtualTime))
                .seeds.addLast(seed);
        size++;
    }

    int size() {
        return size;
    }

    /** The requests waiting, oldest first. */
    List<Request> requests() {
        return List.copyOf(requests.values());
    }

    /** The request the next free slot goes to among those {@code eligible}: the lowest pass, the oldest on a tie. */
    Request nextFair(Predicate<Request> eligible) {
        Request chosen = null;
        for (Request request : requests.values()) {
            if ((chosen == null || request.pass < chosen.pass) && eligible.test(request)) {
                chosen = request;
            }
        }
        return chosen;
    }

    /** Gives {@code request}'s next seed a slot, advancing its pass. */
    PendingSeed take(Request request) {
        PendingSeed seed = request.seeds.pollFirst();
        virtualTime = Math.max(virtualTime, request.pass);
        request.pass += 1.0 / request.priority;
        size--;
        if (request.seeds.isEmpty()) {
            requests.remove(new Key(request.owner, request.requestId));
        }
        return seed;
    }

    /** Removes all of {@code request}'s waiting seeds (it failed) and returns them. */
    List<PendingSeed> remove(Request request) {
        requests.remove(new Key(request.owner, request.requestId));
        size -= request.seeds.size();
        List<PendingSeed> removed = new ArrayList<>(request.seeds);
        request.seeds.clear();
        return removed;
    }

    /** Forgets every seed of {@code owner}. */
    void removeOwner(ContinuousBatcher.Owner owner) {
        for (Request request : requests()) {
            if (request.owner == owner) {
                remove(request);
            }
        }
    }
}
