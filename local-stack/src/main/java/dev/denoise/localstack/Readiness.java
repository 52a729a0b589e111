package dev.denoise.localstack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** Waits until a broker or registry answers, or says clearly why it did not. */
public final class Readiness {
    /** For a registry over plain HTTP. */
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Readiness() {}

    /** True when a broker at {@code bootstrap} answers a metadata request within {@code timeout}. */
    public static boolean kafkaAnswers(String bootstrap, Duration timeout) {
        return kafkaAnswers(bootstrap, Map.of(), timeout);
    }

    /** As above, with client settings (security) beyond the bootstrap servers. */
    public static boolean kafkaAnswers(String bootstrap, Map<String, String> client, Duration timeout) {
        return brokersAnswering(bootstrap, client, timeout) > 0;
    }

    /** The brokers in the cluster's metadata as a broker at {@code bootstrap} tells it; 0 if none answers. */
    private static int brokersAnswering(String bootstrap, Map<String, String> client, Duration timeout) {
        if (!anyPortOpen(bootstrap)) {
            return 0; // spares the admin client's connection warnings while a broker starts
        }
        Map<String, Object> config = new HashMap<>(client);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(config)) {
            return admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static boolean anyPortOpen(String bootstrap) {
        for (String address : bootstrap.split(",")) {
            int colon = address.lastIndexOf(':');
            String host = address.substring(0, colon).trim();
            int port = Integer.parseInt(address.substring(colon + 1).trim());
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), 1000);
                return true;
            } catch (IOException e) {
                // try the next address
            }
        }
        return false;
    }

    /** True when the registry's Confluent-compatible API lists its subjects. */
    public static boolean registryAnswers(String registryUrl) {
        return registryAnswers(registryUrl, HTTP);
    }

    /** As above, with a client of its own (e.g. trusting a secured stack's CA). */
    static boolean registryAnswers(String registryUrl, HttpClient http) {
        try {
            HttpResponse<Void> response = http.send(
                    HttpRequest.newBuilder(URI.create(registryUrl + "/subjects")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static void awaitKafka(String bootstrap, Duration timeout) {
        awaitKafka(bootstrap, Map.of(), timeout, 1);
    }

    /** Waits until the cluster at {@code bootstrap} has {@code brokers} brokers; {@code client}: security settings. */
    public static void awaitKafka(String bootstrap, Map<String, String> client, Duration timeout, int brokers) {
        await("Kafka at " + bootstrap, timeout, () -> brokersAnswering(bootstrap, client, Duration.ofSeconds(3)) >= brokers,
                () -> true);
    }

    public static void awaitRegistry(String registryUrl, Duration timeout, BooleanSupplier stillStarting) {
        awaitRegistry(registryUrl, HTTP, timeout, stillStarting);
    }

    static void awaitRegistry(String registryUrl, HttpClient http, Duration timeout, BooleanSupplier stillStarting) {
        await("schema registry at " + registryUrl, timeout, () -> registryAnswers(registryUrl, http), stillStarting);
    }

    /** An HTTP client for a registry, trusting what {@code ssl} trusts. */
    static HttpClient httpClient(SSLContext ssl) {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(ssl).build();
    }

    /** Polls {@code ready} until it holds, the deadline passes, or the process behind it has died. */
    static void await(String what, Duration timeout, BooleanSupplier ready, BooleanSupplier stillStarting) {
        Instant deadline = Instant.now().plus(timeout);
        while (!ready.getAsBoolean()) {
            if (!stillStarting.getAsBoolean()) {
                throw new IllegalStateException("The " + what + " exited before it answered");
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("The " + what + " did not answer within " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the " + what, e);
            }
        }
    }

    /** Sets the registry's global compatibility: Apicurio defaults to NONE, Confluent to BACKWARD. */
    public static void setBackwardCompatibility(String registryUrl) {
        setBackwardCompatibility(registryUrl, HTTP);
    }

    static void setBackwardCompatibility(String registryUrl, HttpClient http) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(registryUrl + "/config"))
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                            .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"BACKWARD\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("Registry at " + registryUrl + " refused BACKWARD compatibility: "
                        + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("Registry at " + registryUrl + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }
}
