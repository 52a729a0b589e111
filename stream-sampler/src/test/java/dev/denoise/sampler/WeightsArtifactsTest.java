package dev.denoise.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.denoise.diffusion.WeightsCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weights by reference, from a loopback HTTP server and from files: fetched once, checked, kept by hash, refused with a reason. */
class WeightsArtifactsTest {
    private static final byte[] WEIGHTS = "pretend these are the weights of a model".getBytes(StandardCharsets.UTF_8);
    private static final String SHA = WeightsCodec.sha256Hex(WEIGHTS);

    @TempDir
    Path dir;
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/model.pt", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, WEIGHTS.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(WEIGHTS);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private WeightsArtifacts artifacts() {
        return new WeightsArtifacts(dir.resolve("cache"), Duration.ofSeconds(5));
    }

    @Test
    void fetchesOverHttpOnceAndKeepsTheCopyByItsHash() {
        assertThat(artifacts().fetch(url("/model.pt"), SHA)).isEqualTo(WEIGHTS);
        assertThat(dir.resolve("cache").resolve(SHA)).hasBinaryContent(WEIGHTS);
        server.stop(0);
        assertThat(new WeightsArtifacts(dir.resolve("cache"), Duration.ofSeconds(5)).fetch(url("/model.pt"), SHA))
                .as("a restarted sampler reads its copy, the server gone").isEqualTo(WEIGHTS);
        assertThat(requests).hasValue(1);
    }

    @Test
    void aCopyThatNoLongerHashesRightIsFetchedAgain() throws IOException {
        Files.createDirectories(dir.resolve("cache"));
        Files.writeString(dir.resolve("cache").resolve(SHA), "corrupted on disk");
        assertThat(artifacts().fetch(url("/model.pt"), SHA)).isEqualTo(WEIGHTS);
        assertThat(requests).hasValue(1);
    }

    @Test
    void readsFileUris() throws IOException {
        Path file = Files.write(dir.resolve("model.pt"), WEIGHTS);
        assertThat(artifacts().fetch(file.toUri().toString(), SHA)).isEqualTo(WEIGHTS);
    }

    @Test
    void bytesWithAnotherHashAreRefusedAndNotKept() {
        String other = WeightsCodec.sha256Hex(new byte[] {1});
        assertThatThrownBy(() -> artifacts().fetch(url("/model.pt"), other))
                .hasMessage("the weights at " + url("/model.pt") + " have SHA-256 " + SHA + ", not the published " + other);
        assertThat(dir.resolve("cache").resolve(other)).doesNotExist();
    }

    @Test
    void whatCannotBeReadIsRefusedWithTheReason() {
        assertThatThrownBy(() -> artifacts().fetch(url("/missing.pt"), SHA)).hasMessageContaining("HTTP 404");
        assertThatThrownBy(() -> artifacts().fetch(dir.resolve("missing.pt").toUri().toString(), SHA))
                .hasMessageContaining("could not be read: no such file");
        assertThatThrownBy(() -> artifacts().fetch("s3://bucket/model.pt", SHA))
                .hasMessageContaining("use file:, http: or https:");
        assertThatThrownBy(() -> artifacts().fetch(url("/model.pt"), "not-a-hash")).hasMessageContaining("64 lower-case hex");
        int port = server.getAddress().getPort();
        server.stop(0);
        assertThatThrownBy(() -> artifacts().fetch("http://127.0.0.1:" + port + "/model.pt", SHA))
                .hasMessageContaining("could not be fetched");
    }

    @Test
    void aPublisherChecksTheUriWithoutKeepingIt() {
        WeightsArtifacts.check(url("/model.pt"), SHA, Duration.ofSeconds(5));
        assertThatThrownBy(() -> WeightsArtifacts.check(url("/model.pt"), WeightsCodec.sha256Hex(new byte[0]),
                Duration.ofSeconds(5))).hasMessageContaining("(the archive's)");
    }
}
