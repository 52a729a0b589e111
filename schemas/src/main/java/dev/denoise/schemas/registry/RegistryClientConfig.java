package dev.denoise.schemas.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * The registry client's settings, read from the same property map a Kafka serde receives, under
 * Confluent's key names so a Confluent client's configuration works unchanged.
 */
public record RegistryClientConfig(
        List<URI> urls,
        Optional<String> userInfo,
        Optional<SSLContext> sslContext,
        Duration connectTimeout,
        Duration requestTimeout) {

    public static final String URL = "schema.registry.url";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** Confluent accepts this prefixed alias too. */
    public static final String REGISTRY_BASIC_AUTH_USER_INFO = "schema.registry.basic.auth.user.info";
    public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String SSL_KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String SSL_KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String SSL_KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String SSL_KEY_PASSWORD = "schema.registry.ssl.key.password";
    public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";

    public static RegistryClientConfig from(Map<String, ?> configs) {
        String url = string(configs, URL)
                .orElseThrow(() -> new ConfigException("Missing required configuration \"" + URL
                        + "\": the schema registry's base URL, e.g. http://127.0.0.1:8081/apis/ccompat/v7"));
        List<URI> urls = Arrays.stream(url.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(RegistryClientConfig::withoutTrailingSlash)
                .map(URI::create)
                .toList();
        return new RegistryClientConfig(
                urls,
                userInfo(configs, urls.get(0)),
                sslContext(configs),
                Duration.ofMillis(longValue(configs, CONNECT_TIMEOUT_MS, 10_000)),
                Duration.ofMillis(longValue(configs, READ_TIMEOUT_MS, 30_000)));
    }

    private static Optional<String> userInfo(Map<String, ?> configs, URI firstUrl) {
        String source = string(configs, BASIC_AUTH_CREDENTIALS_SOURCE).orElse("USER_INFO");
        switch (source) {
            case "URL":
                return Optional.ofNullable(firstUrl.getUserInfo());
            case "USER_INFO":
                return string(configs, BASIC_AUTH_USER_INFO).or(() -> string(configs, REGISTRY_BASIC_AUTH_USER_INFO));
            default:
                throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE, source, "supported: USER_INFO, URL");
        }
    }

    private static Optional<SSLContext> sslContext(Map<String, ?> configs) {
        Optional<String> truststore = string(configs, SSL_TRUSTSTORE_LOCATION);
        Optional<String> keystore = string(configs, SSL_KEYSTORE_LOCATION);
        if (truststore.isEmpty() && keystore.isEmpty()) {
            return Optional.empty(); // the JDK's default trust store still applies to https URLs
        }
        try {
            TrustManagerFactory tmf = null;
            if (truststore.isPresent()) {
                KeyStore trust = load(truststore.get(),
                        string(configs, SSL_TRUSTSTORE_TYPE).orElse("PKCS12"),
                        string(configs, SSL_TRUSTSTORE_PASSWORD).orElse(""));
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            KeyManagerFactory kmf = null;
            if (keystore.isPresent()) {
                String password = string(configs, SSL_KEYSTORE_PASSWORD).orElse("");
                KeyStore keys = load(keystore.get(), string(configs, SSL_KEYSTORE_TYPE).orElse("PKCS12"), password);
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, string(configs, SSL_KEY_PASSWORD).orElse(password).toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return Optional.of(context);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("Cannot set up TLS for the schema registry: " + e.getMessage());
        }
    }

    private static KeyStore load(String location, String type, String password)
            throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            store.load(in, password.toCharArray());
        }
        return store;
    }

    private static String withoutTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static Optional<String> string(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        if (value == null) {
            return Optional.empty();
        }
        // Kafka hands passwords over as Password objects; their value() is the secret.
        String text = value instanceof org.apache.kafka.common.config.types.Password p ? p.value() : value.toString();
        return text.isBlank() ? Optional.empty() : Optional.of(text);
    }

    private static long longValue(Map<String, ?> configs, String key, long defaultValue) {
        return string(configs, key).map(Long::parseLong).orElse(defaultValue);
    }
}
