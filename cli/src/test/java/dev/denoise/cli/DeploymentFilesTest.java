package dev.denoise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.denoise.localstack.ProjectHome;
import dev.denoise.sampler.ServiceSettings;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.schemas.config.Setting;
import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * No Docker engine or Kubernetes cluster runs here, so docker-compose.yml and k8s/ are checked
 * for what can go wrong without one: names the applications do not read, probes on paths or ports
 * the sampler does not serve, selectors that select nothing, containers without limits or a
 * locked-down security context, unpinned images. The k8s/ directories are checked as
 * {@code kubectl kustomize} renders them (the real kustomize, built into kubectl, offline); where
 * kubectl is not on the PATH those tests are skipped.
 */
@SuppressWarnings("unchecked")
class DeploymentFilesTest {
    private static final Path ROOT = ProjectHome.root();
    /** Rendering is local (no cluster); a minute covers a cold start on a loaded machine. */
    private static final long KUSTOMIZE_TIMEOUT_SECONDS = 60;

    @Test
    void composeServicesReadOnlySettingsTheApplicationsKnowAndProbeWhatTheSamplerServes() throws IOException {
        Map<String, Object> compose = load(ROOT.resolve("docker-compose.yml")).get(0);
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");

        assertThat(services).containsKeys("kafka", "schema-registry", "topic-init", "trainer", "stream-sampler",
                "stream-sampler-gpu");
        for (String name : List.of("topic-init", "trainer", "stream-sampler", "stream-sampler-gpu")) {
            Map<String, Object> environment = (Map<String, Object>) services.get(name).get("environment");
            assertThat(environment.keySet()).as("environment of %s", name).allSatisfy(DeploymentFilesTest::isKnownSetting);
        }
        Map<String, Object> sampler = services.get("stream-sampler");
        String port = String.valueOf(((Map<String, Object>) sampler.get("environment")).get("DENOISE_HTTP_PORT"));
        String healthcheck = String.join(" ", (List<String>) ((Map<String, Object>) sampler.get("healthcheck")).get("test"));
        assertThat(healthcheck).contains("/ready").contains("/" + port);
        Set<String> targets = dockerfileTargets();
        services.forEach((name, service) -> {
            assertThat(pinned((String) service.get("image"))).as("image of %s is pinned", name).isTrue();
            Object build = service.get("build");
            if (build != null) {
                assertThat(targets).as("build target of %s", name).contains((String) ((Map<String, Object>) build).get("target"));
            }
        });
        assertThat(services.get("stream-sampler-gpu").toString()).contains("driver=nvidia", "capabilities=[gpu]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"k8s/base", "k8s/overlays/gpu", "k8s/overlays/dev"})
    void kubernetesManifestsAgreeWithTheApplications(String dir) throws IOException {
        List<Map<String, Object>> docs = kustomize(ROOT.resolve(dir));
        Map<String, Object> configMap = find(docs, "ConfigMap", "denoise-stream-config");
        Map<String, Object> config = (Map<String, Object>) configMap.get("data");
        assertThat(config.keySet()).allSatisfy(DeploymentFilesTest::isKnownSetting);

        Map<String, Object> deployment = find(docs, "Deployment", "stream-sampler");
        Map<String, Object> podTemplate = (Map<String, Object>) ((Map<String, Object>) deployment.get("spec")).get("template");
        Map<String, Object> podLabels = (Map<String, Object>) ((Map<String, Object>) podTemplate.get("metadata")).get("labels");
        Map<String, Object> container = containers(deployment).get(0);
        Map<String, Object> httpPort = ((List<Map<String, Object>>) container.get("ports")).stream()
                .filter(p -> "http".equals(p.get("name"))).findFirst().orElseThrow();
        assertThat(String.valueOf(httpPort.get("containerPort"))).isEqualTo(String.valueOf(config.get("DENOISE_HTTP_PORT")));
        assertThat(probe(container, "livenessProbe")).containsEntry("path", "/health").containsEntry("port", "http");
        assertThat(probe(container, "readinessProbe")).containsEntry("path", "/ready").containsEntry("port", "http");

        Map<String, Object> selector = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) deployment.get("spec"))
                .get("selector")).get("matchLabels");
        assertThat(podLabels).containsAllEntriesOf(selector);
        assertThat(podLabels).containsAllEntriesOf((Map<String, Object>) spec(find(docs, "Service", "stream-sampler-metrics")).get("selector"));
        assertThat(podLabels).containsAllEntriesOf(matchLabels(spec(find(docs, "PodDisruptionBudget", "stream-sampler")).get("selector")));
        assertThat(podLabels).containsAllEntriesOf(matchLabels(spec(find(docs, "NetworkPolicy", "stream-sampler")).get("podSelector")));

        Map<String, Object> scaled = spec(find(docs, "ScaledObject", "stream-sampler"));
        assertThat(((Map<String, Object>) scaled.get("scaleTargetRef")).get("name")).isEqualTo("stream-sampler");
        Map<String, Object> trigger = (Map<String, Object>) ((List<Map<String, Object>>) scaled.get("triggers")).get(0).get("metadata");
        assertThat(trigger).containsEntry("consumerGroup", config.get("DENOISE_APPLICATION_ID"))
                .containsEntry("topic", config.get("DENOISE_TOPIC_PREFIX") + ".sample-requests");

        for (Map<String, Object> workload : List.of(deployment, find(docs, "Job", "trainer"))) {
            Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) spec(workload).get("template")).get("spec");
            assertThat((Map<String, Object>) pod.get("securityContext")).containsEntry("runAsNonRoot", true);
            for (Map<String, Object> c : containers(workload)) {
                assertThat(pinned((String) c.get("image"))).as("image %s", c.get("image")).isTrue();
                Map<String, Object> limits = (Map<String, Object>) ((Map<String, Object>) c.get("resources")).get("limits");
                assertThat(limits).as("limits of %s", c.get("name")).containsKeys("cpu", "memory");
                assertThat((Map<String, Object>) c.get("securityContext")).as("security context of %s", c.get("name"))
                        .containsEntry("allowPrivilegeEscalation", false)
                        .containsEntry("readOnlyRootFilesystem", true);
                for (Map<String, Object> env : (List<Map<String, Object>>) c.getOrDefault("env", List.of())) {
                    assertThat(isKnownSetting((String) env.get("name"))).as("env %s", env.get("name")).isTrue();
                }
            }
        }
        String namespace = (String) ((Map<String, Object>) find(docs, "Namespace", null).get("metadata")).get("name");
        assertThat(docs).filteredOn(d -> !d.get("kind").equals("Namespace"))
                .allSatisfy(d -> assertThat(((Map<String, Object>) d.get("metadata")).get("namespace")).isEqualTo(namespace));
    }

    @Test
    void theGpuOverlayAsksForAGpuAndTheCudaImage() throws IOException {
        Map<String, Object> container = containers(find(kustomize(ROOT.resolve("k8s/overlays/gpu")),
                "Deployment", "stream-sampler")).get(0);
        Map<String, Object> limits = (Map<String, Object>) ((Map<String, Object>) container.get("resources")).get("limits");
        assertThat(limits).containsEntry("nvidia.com/gpu", 1);
        assertThat((String) container.get("image")).contains("gpu");
        assertThat(container).containsKeys("livenessProbe", "readinessProbe", "securityContext");
    }

    @Test
    void theDevOverlayRunsOneSamplerInItsOwnNamespace() throws IOException {
        Map<String, Object> deployment = find(kustomize(ROOT.resolve("k8s/overlays/dev")), "Deployment", "stream-sampler");
        assertThat(spec(deployment)).containsEntry("replicas", 1);
        assertThat((Map<String, Object>) deployment.get("metadata")).containsEntry("namespace", "denoise-dev");
    }

    @Test
    void theImageBuildCopiesEveryModuleAndTheDataTheTrainerDefaultsTo() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        List<String> modules = new ArrayList<>();
        while (module.find()) {
            modules.add(module.group(1));
        }
        assertThat(modules).contains("schemas", "test-support", "cli");
        for (String name : modules) {
            assertThat(dockerfile).as("module %s", name)
                    .contains("COPY " + name + "/pom.xml " + name + "/", "COPY " + name + "/src " + name + "/src");
        }
        assertThat(dockerfile).contains("COPY models /app/models", "COPY data /app/data", "-Ddenoise.home=/app");
    }

    /**
     * The manifests {@code kubectl kustomize dir} renders, one map a YAML document; skips the test
     * (an assumption) where kubectl is not on the PATH.
     */
    private static List<Map<String, Object>> kustomize(Path dir) throws IOException {
        Optional<Path> kubectl = onPath("kubectl");
        Assumptions.assumeTrue(kubectl.isPresent(), "kubectl is not on the PATH, so the k8s/ overlays cannot be rendered "
                + "with the real kustomize (`kubectl kustomize " + ROOT.relativize(dir) + "`); install kubectl to run this check");
        Path stdout = Files.createTempFile("kustomize", ".yaml");
        Path stderr = Files.createTempFile("kustomize", ".err");
        try {
            Process process = new ProcessBuilder(kubectl.get().toString(), "kustomize", dir.toString())
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            boolean finished;
            try {
                finished = process.waitFor(KUSTOMIZE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IOException("interrupted while running kubectl kustomize " + dir, e);
            }
            if (!finished) {
                process.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + dir + " did not finish in " + KUSTOMIZE_TIMEOUT_SECONDS
                        + " s; stderr: " + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " exited with " + process.exitValue() + "; stderr: "
                        + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            List<Map<String, Object>> docs = load(stdout);
            if (docs.isEmpty()) {
                throw new AssertionError("kubectl kustomize " + dir + " rendered nothing; stderr: "
                        + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            return docs;
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(Pattern.quote(File.pathSeparator))).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program)).filter(Files::isExecutable).findFirst();
    }

    /** The documents of a (multi-document) YAML file, one map each. */
    private static List<Map<String, Object>> load(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (Object doc : new Yaml().loadAll(reader)) {
                if (doc != null) {
                    docs.add((Map<String, Object>) doc);
                }
            }
        }
        return docs;
    }

    private static String name(Map<String, Object> doc) {
        return (String) ((Map<String, Object>) doc.get("metadata")).get("name");
    }

    private static boolean isKnownSetting(String name) {
        Set<String> known = new HashSet<>();
        Stream.concat(ConnectionSettings.SETTINGS.stream(), ServiceSettings.SETTINGS.stream()).map(Setting::envVar).forEach(known::add);
        return known.contains(name) || name.startsWith(ConnectionSettings.CLIENT_PROPERTY_ENV_PREFIX);
    }

    private static boolean pinned(String image) {
        int colon = image.lastIndexOf(':');
        return colon > image.lastIndexOf('/') && !image.endsWith(":latest");
    }

    private static Set<String> dockerfileTargets() throws IOException {
        Set<String> targets = new HashSet<>();
        Matcher m = Pattern.compile("(?m)^FROM\\s+\\S+\\s+AS\\s+(\\S+)").matcher(Files.readString(ROOT.resolve("Dockerfile")));
        while (m.find()) {
            targets.add(m.group(1));
        }
        return targets;
    }

    private static Map<String, Object> find(List<Map<String, Object>> docs, String kind, String name) {
        return docs.stream().filter(d -> kind.equals(d.get("kind")) && (name == null || name.equals(name(d))))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static Map<String, Object> spec(Map<String, Object> doc) {
        return (Map<String, Object>) doc.get("spec");
    }

    private static Map<String, Object> matchLabels(Object selector) {
        return (Map<String, Object>) ((Map<String, Object>) selector).get("matchLabels");
    }

    private static List<Map<String, Object>> containers(Map<String, Object> workload) {
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) spec(workload).get("template")).get("spec");
        return (List<Map<String, Object>>) pod.get("containers");
    }

    private static Map<String, Object> probe(Map<String, Object> container, String probe) {
        return (Map<String, Object>) ((Map<String, Object>) container.get(probe)).get("httpGet");
    }
}
