package dev.denoise.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders a kustomize directory the way `kubectl kustomize` does for the features k8s/ uses:
 * resources (files and bases), strategic-merge patches (maps merged, lists of named items merged
 * by name), the namespace and common labels. Enough to check the rendered manifests in tests
 * without a Kubernetes toolchain.
 */
final class Kustomization {
    private Kustomization() {}

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> render(Path dir) throws IOException {
        Map<String, Object> kustomization = load(dir.resolve("kustomization.yaml")).get(0);
        List<Map<String, Object>> docs = new ArrayList<>();
        for (String resource : (List<String>) kustomization.getOrDefault("resources", List.of())) {
            Path path = dir.resolve(resource).normalize();
            docs.addAll(Files.isDirectory(path) ? render(path) : load(path));
        }
        for (Map<String, Object> patchRef : (List<Map<String, Object>>) kustomization.getOrDefault("patches", List.of())) {
            Map<String, Object> patch = load(dir.resolve((String) patchRef.get("path"))).get(0);
            Map<String, Object> target = docs.stream()
                    .filter(d -> d.get("kind").equals(patch.get("kind")) && name(d).equals(name(patch)))
                    .findFirst().orElseThrow(() -> new IllegalStateException("patch target not found: " + patchRef));
            merge(target, patch);
        }
        String namespace = (String) kustomization.get("namespace");
        for (Map<String, Object> doc : docs) {
            Map<String, Object> metadata = (Map<String, Object>) doc.get("metadata");
            if (namespace != null) {
                metadata.put(doc.get("kind").equals("Namespace") ? "name" : "namespace", namespace);
            }
            for (Map<String, Object> labels : (List<Map<String, Object>>) kustomization.getOrDefault("labels", List.of())) {
                ((Map<String, Object>) metadata.computeIfAbsent("labels", k -> new LinkedHashMap<>()))
                        .putAll((Map<String, Object>) labels.get("pairs"));
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    static String name(Map<String, Object> doc) {
        return (String) ((Map<String, Object>) doc.get("metadata")).get("name");
    }

    static List<Map<String, Object>> load(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            for (Object doc : new Yaml().loadAll(reader)) {
                if (doc != null) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> map = (Map<String, Object>) doc;
                    docs.add(map);
                }
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> target, Map<String, Object> patch) {
        patch.forEach((key, value) -> {
            Object existing = target.get(key);
            if (existing instanceof Map && value instanceof Map) {
                merge((Map<String, Object>) existing, (Map<String, Object>) value);
            } else if (existing instanceof List && value instanceof List && isNamedList((List<Object>) value)) {
                for (Object item : (List<Object>) value) {
                    Map<String, Object> patchItem = (Map<String, Object>) item;
                    ((List<Object>) existing).stream()
                            .filter(e -> e instanceof Map && patchItem.get("name").equals(((Map<String, Object>) e).get("name")))
                            .findFirst()
                            .ifPresentOrElse(e -> merge((Map<String, Object>) e, patchItem), () -> ((List<Object>) existing).add(item));
                }
            } else {
                target.put(key, value);
            }
        });
    }

    private static boolean isNamedList(List<Object> list) {
        return !list.isEmpty() && list.stream().allMatch(i -> i instanceof Map && ((Map<?, ?>) i).containsKey("name"));
    }
}
