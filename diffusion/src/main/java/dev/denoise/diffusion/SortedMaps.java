package dev.denoise.diffusion;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Unmodifiable key-sorted copies: hyper-parameters and metrics iterate in the same order in
 * every JVM (Map.of's order is randomised per run), so what is printed or serialised is stable.
 */
public final class SortedMaps {

    private SortedMaps() {
    }

    public static <V> SortedMap<String, V> of(Map<String, V> map) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(map));
    }
}
