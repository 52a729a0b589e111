package dev.denoise.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.denoise.schemas.registry.RegistryClientConfig;
import dev.denoise.schemas.registry.SchemaRegistryClient;
import dev.denoise.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Basic auth and TLS, which the local Apicurio does not enable, against a small HTTP(S) endpoint
 * that answers the two Confluent API calls the client makes and records what it was sent.
 */
class RegistryClientSecurityTest {
    private static final String PASSWORD = "changeit";
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void sendsBasicAuthCredentialsFromUserInfo() throws Exception {
        String url = startHttpRegistry("alice:s3cret");

        SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientConfig.from(Map.of(
                RegistryClientConfig.URL, url,
                RegistryClientConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO",
                RegistryClientConfig.BASIC_AUTH_USER_INFO, "alice:s3cret")));

        assertThat(client.register("t-value", SampleRequest.getClassSchema())).isEqualTo(7);
        assertThat(authorizations).containsExactly(basic("alice:s3cret"));
    }

    @Test
    void takesCredentialsFromTheUrlWhenTold() throws Exception {
        String url = startHttpRegistry("bob:pw").replace("http://", "http://bob:pw@");

        SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientConfig.from(Map.of(
                RegistryClientConfig.URL, url, RegistryClientConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "URL")));

        assertThat(client.schemaById(7)).isEqualTo(SampleRequest.getClassSchema());
        assertThat(authorizations).containsExactly(basic("bob:pw"));
    }

    @Test
    void wrongCredentialsAreAClearError() throws Exception {
        String url = startHttpRegistry("alice:s3cret");

        SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientConfig.from(Map.of(
                RegistryClientConfig.URL, url, RegistryClientConfig.BASIC_AUTH_USER_INFO, "alice:wrong")));

        assertThatThrownBy(() -> client.register("t-value", SampleRequest.getClassSchema()))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("Schema registry at " + url + " refused the credentials");
    }

    @Test
    void talksTlsWithTheConfiguredTrustStoreAndRefusesAnUntrustedServer(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("server.p12");
        Path truststore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        Path cert = dir.resolve("registry.crt");
        keytool("-exportcert", "-alias", "registry", "-keystore", keystore.toString(), "-storepass", PASSWORD,
                "-rfc", "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "registry", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", PASSWORD);
        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(serverContext(keystore)));
        server = https;
        serveRegistry(server, null);
        String url = "https://127.0.0.1:" + server.getAddress().getPort();

        SchemaRegistryClient trusting = new SchemaRegistryClient(RegistryClientConfig.from(Map.of(
                RegistryClientConfig.URL, url,
                RegistryClientConfig.SSL_TRUSTSTORE_LOCATION, truststore.toString(),
                RegistryClientConfig.SSL_TRUSTSTORE_PASSWORD, PASSWORD)));
        assertThat(trusting.schemaById(7)).isEqualTo(SampleRequest.getClassSchema());

        SchemaRegistryClient defaultTrust = new SchemaRegistryClient(RegistryClientConfig.from(Map.of(
                RegistryClientConfig.URL, url)));
        assertThatThrownBy(() -> defaultTrust.schemaById(7))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining(url)
                .hasMessageContaining("SSLHandshakeException");
    }

    private String startHttpRegistry(String userInfo) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serveRegistry(server, userInfo);
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers registration with id 7 and serves id 7; checks credentials when {@code userInfo} is set. */
    private void serveRegistry(HttpServer http, String userInfo) {
        http.createContext("/", exchange -> {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization != null) {
                authorizations.add(authorization);
            }
            exchange.getRequestBody().readAllBytes();
            if (userInfo != null && !basic(userInfo).equals(authorization)) {
                respond(exchange, 401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
            } else if (exchange.getRequestURI().getPath().equals("/subjects/t-value/versions")) {
                respond(exchange, 200, "{\"id\":7}");
            } else if (exchange.getRequestURI().getPath().equals("/schemas/ids/7")) {
                String schema = SampleRequest.getClassSchema().toString().replace("\\", "\\\\").replace("\"", "\\\"");
                respond(exchange, 200, "{\"schema\":\"" + schema + "\"}");
            } else {
                respond(exchange, 404, "{\"error_code\":40401,\"message\":\"not found\"}");
            }
        });
        http.start();
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static String basic(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    private static SSLContext serverContext(Path keystore) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("keytool %s: %s", args[0], output).isZero();
    }
}
