package dev.denoise.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What a secured local stack needs, made once at its first start and kept in {@code secure/}
 * beside its data: a certificate authority and the broker's certificate signed by it (keytool,
 * from this JDK), a password per principal, and a client configuration file per principal. The
 * broker listens with SASL_SSL (SCRAM-SHA-512) for clients; its controller listener takes SASL
 * PLAIN from the broker itself. Every principal but {@code admin} (the super user) gets only
 * the ACLs its role needs.
 */
public final class StackSecurity {
    /** The principals a secured stack has; admin is the super user. */
    public static final List<String> PRINCIPALS = List.of("admin", "sampler", "client", "trainer");
    public static final String MECHANISM = "SCRAM-SHA-512";

    private final Path dir;

    StackSecurity(Path stackHome) {
        this.dir = stackHome.resolve("secure");
    }

    /** Makes the certificates, passwords and client files unless they exist. */
    void createIfMissing() throws IOException, InterruptedException {
        if (Files.exists(passwordsFile())) {
            return;
        }
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------")); // passwords and keys inside
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: left as the system made it
        }
        Properties passwords = new Properties();
        for (String principal : PRINCIPALS) {
            passwords.setProperty(principal, randomSecret());
        }
        String storePassword = randomSecret();
        passwords.setProperty("store", storePassword);
        keytool("-genkeypair", "-alias", "ca", "-dname", "CN=denoise-stream local CA", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "3650", "-ext", "bc:c", "-keystore", "ca.p12", "-storetype", "PKCS12",
                "-storepass", storePassword);
        keytool("-exportcert", "-alias", "ca", "-keystore", "ca.p12", "-storepass", storePassword, "-rfc", "-file", "ca.pem");
        keytool("-genkeypair", "-alias", "broker", "-dname", "CN=localhost", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "3650", "-keystore", "broker.p12", "-storetype", "PKCS12", "-storepass", storePassword);
        keytool("-certreq", "-alias", "broker", "-keystore", "broker.p12", "-storepass", storePassword, "-file", "broker.csr");
        keytool("-gencert", "-alias", "ca", "-keystore", "ca.p12", "-storepass", storePassword, "-infile", "broker.csr",
                "-outfile", "broker.pem", "-rfc", "-validity", "3650", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-ext", "EKU=serverAuth");
        keytool("-importcert", "-alias", "ca", "-keystore", "broker.p12", "-storepass", storePassword, "-file", "ca.pem",
                "-noprompt");
        keytool("-importcert", "-alias", "broker", "-keystore", "broker.p12", "-storepass", storePassword,
                "-file", "broker.pem");
        keytool("-importcert", "-alias", "ca", "-keystore", "truststore.p12", "-storetype", "PKCS12",
                "-storepass", storePassword, "-file", "ca.pem", "-noprompt");
        for (String principal : PRINCIPALS) {
            PropertiesFiles.write(clientProperties(principal, passwords.getProperty(principal), storePassword),
                    clientConfig(principal), "Kafka client settings of principal " + principal);
        }
        PropertiesFiles.write(passwords, passwordsFile(), "passwords of the local stack's principals");
    }

    /** The client configuration file of {@code principal}: what {@code KAFKA_CLIENT_CONFIG} points at. */
    public Path clientConfig(String principal) {
        return dir.resolve(principal + ".properties").toAbsolutePath();
    }

    /** The broker's settings for a secured single node: SASL_SSL for clients and itself, SASL PLAIN to its controller. */
    Properties brokerProperties(int brokerPort, int controllerPort) {
        Properties passwords = passwords();
        String admin = passwords.getProperty("admin");
        String store = passwords.getProperty("store");
        Properties p = new Properties();
        p.setProperty("listeners", "SASL_SSL://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "SASL_SSL://127.0.0.1:" + brokerPort);
        p.setProperty("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT");
        p.setProperty("inter.broker.listener.name", "SASL_SSL");
        p.setProperty("sasl.enabled.mechanisms", MECHANISM);
        p.setProperty("sasl.mechanism.inter.broker.protocol", MECHANISM);
        p.setProperty("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", scramJaas("admin", admin));
        // SCRAM credentials live in the cluster metadata, which a controller must serve before it can
        // check them, so the controller listener uses PLAIN with the admin's password in its JAAS.
        p.setProperty("sasl.mechanism.controller.protocol", "PLAIN");
        p.setProperty("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        p.setProperty("listener.name.controller.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\""
                        + admin + "\" user_admin=\"" + admin + "\";");
        p.setProperty("ssl.keystore.type", "PKCS12");
        p.setProperty("ssl.keystore.location", dir.resolve("broker.p12").toAbsolutePath().toString());
        p.setProperty("ssl.keystore.password", store);
        p.setProperty("ssl.key.password", store);
        p.setProperty("ssl.truststore.type", "PKCS12");
        p.setProperty("ssl.truststore.location", dir.resolve("truststore.p12").toAbsolutePath().toString());
        p.setProperty("ssl.truststore.password", store);
        p.setProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.setProperty("super.users", "User:admin");
        p.setProperty("allow.everyone.if.no.acl.found", "false");
        return p;
    }

    /**
     * Quarkus' settings that serve the registry over TLS only, on {@code port}, with the broker's
     * certificate (its SAN covers 127.0.0.1). Apicurio 2.6 authenticates only through an OIDC
     * server, which the local stack does not run, so the registry has TLS and no authentication.
     */
    List<String> registryTlsOptions(int port) {
        String store = passwords().getProperty("store");
        return List.of("-Dquarkus.http.ssl-port=" + port, "-Dquarkus.http.insecure-requests=disabled",
                "-Dquarkus.http.ssl.certificate.key-store-file=" + dir.resolve("broker.p12").toAbsolutePath(),
                "-Dquarkus.http.ssl.certificate.key-store-file-type=PKCS12",
                "-Dquarkus.http.ssl.certificate.key-store-password=" + store);
    }

    /** A TLS context that trusts the stack's CA, for its own checks of the registry. */
    SSLContext sslContext() {
        String store = passwords().getProperty("store");
        try (InputStream in = Files.newInputStream(dir.resolve("truststore.p12"))) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(in, store.toCharArray());
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot read the stack's truststore in " + dir, e);
        }
    }

    /** The {@code --add-scram} arguments of {@code kafka-storage format}: every principal's SCRAM credential. */
    List<String> scramCredentials() {
        Properties passwords = passwords();
        List<String> arguments = new ArrayList<>();
        for (String principal : PRINCIPALS) {
            arguments.add("--add-scram");
            arguments.add(MECHANISM + "=[name=" + principal + ",password=" + passwords.getProperty(principal) + "]");
        }
        return arguments;
    }

    private Properties clientProperties(String principal, String password, String storePassword) {
        Properties p = new Properties();
        p.setProperty("security.protocol", "SASL_SSL");
        p.setProperty("sasl.mechanism", MECHANISM);
        p.setProperty("sasl.jaas.config", scramJaas(principal, password));
        p.setProperty("ssl.truststore.type", "PKCS12");
        p.setProperty("ssl.truststore.location", dir.resolve("truststore.p12").toAbsolutePath().toString());
        p.setProperty("ssl.truststore.password", storePassword);
        p.setProperty("schema.registry.ssl.truststore.type", "PKCS12");
        p.setProperty("schema.registry.ssl.truststore.location", dir.resolve("truststore.p12").toAbsolutePath().toString());
        p.setProperty("schema.registry.ssl.truststore.password", storePassword);
        return p;
    }

    static String scramJaas(String principal, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + principal
                + "\" password=\"" + password + "\";";
    }

    private void keytool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("keytool " + arguments[0] + " failed: " + output);
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private Path passwordsFile() {
        return dir.resolve("passwords.properties");
    }

    /** Each principal's password, and the key and trust stores' ({@code store}). */
    private Properties passwords() {
        return PropertiesFiles.read(passwordsFile());
    }
}
