package dev.denoise.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A small client for the Confluent Schema Registry REST API (also served by Apicurio at
 * {@code /apis/ccompat/v7}): registers and looks up Avro schemas, caching both directions.
 *
 * <p>Thread-safe; one instance is meant to be shared by the serdes of a process.
 */
public final class SchemaRegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryClientConfig config;
    private final HttpClient http;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {}

    public SchemaRegistryClient(RegistryClientConfig config) {
        this.config = Objects.requireNonNull(config);
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(config.connectTimeout());
        config.sslContext().ifPresent(builder::sslContext);
        this.http = builder.build();
    }

    /** Registers {@code schema} under {@code subject} (a no-op if already there) and returns its id. */
    public int register(String subject, Schema schema) {
        return idOf(subject, schema, "/subjects/" + encode(subject) + "/versions",
                "register the schema of " + schema.getFullName() + " under subject " + subject);
    }

    /** Returns the id of {@code schema} if it is already registered under {@code subject}; never registers. */
    public int lookup(String subject, Schema schema) {
        return idOf(subject, schema, "/subjects/" + encode(subject),
                "look up the schema of " + schema.getFullName() + " under subject " + subject);
    }

    /** The id the registry answers a POST of {@code schema} to {@code path} with, cached both ways. */
    private int idOf(String subject, Schema schema, String path, String purpose) {
        return idsBySubjectSchema.computeIfAbsent(new SubjectSchema(subject, schema), key -> {
            int id = send("POST", path, schemaBody(schema), purpose).path("id").asInt(-1);
            schemasById.putIfAbsent(id, schema);
            return id;
        });
    }

    /** The schema with this global id, as a writer schema for decoding. */
    public Schema schemaById(int id) {
        return schemasById.computeIfAbsent(id, key -> {
            JsonNode reply = send("GET", "/schemas/ids/" + id, null, "fetch schema id " + id);
            String type = reply.path("schemaType").asText("AVRO");
            if (!"AVRO".equals(type)) {
                throw new SchemaRegistryException("Schema id " + id + " at " + baseUrlForMessages()
                        + " is a " + type + " schema, not Avro", -1);
            }
            return new Schema.Parser().parse(reply.path("schema").asText());
        });
    }

    /** Sets the registry's global compatibility level, e.g. BACKWARD. */
    public void setGlobalCompatibility(String level) {
        ObjectNode body = JSON.createObjectNode().put("compatibility", level);
        send("PUT", "/config", body.toString(), "set the compatibility level to " + level);
    }

    private static String schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private JsonNode send(String method, String path, String body, String purpose) {
        IOException lastFailure = null;
        for (URI base : config.urls()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(config.requestTimeout())
                    .header("Accept", CONTENT_TYPE + ", application/json")
                    .method(method, body == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            if (body != null) {
                request.header("Content-Type", CONTENT_TYPE);
            }
            config.userInfo().ifPresent(info -> request.header("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(info.getBytes(StandardCharsets.UTF_8))));
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                lastFailure = e; // try the next URL, as Confluent's client does
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("Interrupted while trying to " + purpose, -1, e);
            }
            return parse(response, purpose, withoutUserInfo(base));
        }
        throw new SchemaRegistryException("Schema registry at " + baseUrlForMessages()
                + " is unreachable, could not " + purpose + ": " + describe(lastFailure), -1, lastFailure);
    }

    private static JsonNode parse(HttpResponse<String> response, String purpose, String url) {
        JsonNode json;
        try {
            json = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            json = JSON.createObjectNode().put("message", response.body());
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return json;
        }
        int errorCode = json.path("error_code").asInt(status);
        String message = json.path("message").asText(response.body());
        String why = switch (status) {
            case 401, 403 -> "refused the credentials";
            case 404 -> "does not know it";
            case 409 -> "rejected it as incompatible";
            case 422 -> "rejected it as invalid";
            default -> "answered HTTP " + status;
        };
        throw new SchemaRegistryException("Schema registry at " + url + " " + why + " when asked to " + purpose
                + " (error " + errorCode + "): " + message, errorCode);
    }

    private String baseUrlForMessages() {
        return config.urls().stream().map(SchemaRegistryClient::withoutUserInfo)
                .reduce((a, b) -> a + "," + b).orElse("");
    }

    private static String withoutUserInfo(URI uri) {
        if (uri.getUserInfo() == null) {
            return uri.toString();
        }
        return uri.toString().replace(uri.getRawUserInfo() + "@", "");
    }

    private static String describe(IOException e) {
        if (e == null) {
            return "no URL configured";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8);
    }
}
