package dev.denoise.sampler;

import dev.denoise.diffusion.WeightsCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Weights published by reference (Kafka's claim-check pattern: the record carries a URI and the
 * SHA-256, the bytes live elsewhere). Each is fetched once, checked against the published hash
 * and kept on disk under its hash, so a restart or a second version with the same weights reads
 * the copy. {@code file:}, {@code http:} and {@code https:} URIs are read, up to
 * {@link #MAX_BYTES}: a sampler holds an archive in memory while libtorch loads it.
 */
public final class WeightsArtifacts {
    /** The largest archive fetched. */
    public static final long MAX_BYTES = 1L << 30;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Path cache;
    private final Duration timeout;
    private final HttpClient http;

    WeightsArtifacts(Path cache, Duration timeout) {
        this.cache = cache;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /**
     * Fetches {@code uri} as a sampler would, without keeping it, and throws
     * {@link IllegalArgumentException} if it cannot be read or does not hash to {@code sha256}:
     * a publisher's check before the URI reaches the topic.
     */
    public static void check(String uri, String sha256, Duration timeout) {
        WeightsArtifacts once = new WeightsArtifacts(null, timeout);
        String actual = WeightsCodec.sha256Hex(once.download(uri));
        if (!actual.equals(sha256)) {
            throw new IllegalArgumentException("the weights at " + uri + " have SHA-256 " + actual + ", not " + sha256
                    + " (the archive's)");
        }
    }

    /** The bytes at {@code uri}, which must hash to {@code sha256}; an {@link IllegalArgumentException} says why not. */
    byte[] fetch(String uri, String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("the published SHA-256 '" + sha256 + "' is not 64 lower-case hex digits");
        }
        Path cached = cache.resolve(sha256);
        if (Files.isRegularFile(cached)) {
            try {
                byte[] bytes = read(cached, uri);
                if (WeightsCodec.sha256Hex(bytes).equals(sha256)) {
                    return bytes;
                }
            } catch (IllegalArgumentException e) {
                // an unreadable copy is fetched again
            }
        }
        byte[] bytes = download(uri);
        String actual = WeightsCodec.sha256Hex(bytes);
        if (!actual.equals(sha256)) {
            throw new IllegalArgumentException("the weights at " + uri + " have SHA-256 " + actual + ", not the published "
                    + sha256);
        }
        keep(cached, bytes);
        return bytes;
    }

    private byte[] download(String uri) {
        URI parsed;
        try {
            parsed = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the weights URI '" + uri + "' is not a URI: " + e.getMessage());
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase();
        return switch (scheme) {
            case "file" -> read(Path.of(parsed), uri);
            case "http", "https" -> get(parsed);
            default -> throw new IllegalArgumentException("the weights URI '" + uri
                    + "' has no scheme read here; use file:, http: or https:");
        };
    }

    /** The body of a GET, all of it within the timeout (headers and body), refused beyond {@link #MAX_BYTES}. */
    private byte[] get(URI uri) {
        HttpResponse.BodyHandler<byte[]> bounded = info -> {
            long length = info.headers().firstValueAsLong("content-length").orElse(-1L);
            if (length > MAX_BYTES) {
                throw new IllegalArgumentException("the weights at " + uri + " are " + length + " bytes, more than the "
                        + MAX_BYTES + " a sampler fetches");
            }
            return HttpResponse.BodySubscribers.ofByteArray();
        };
        try {
            HttpResponse<byte[]> response = http.sendAsync(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(), bounded)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (response.statusCode() != 200) {
                throw new IllegalArgumentException("the weights at " + uri + " could not be fetched: HTTP "
                        + response.statusCode());
            }
            return response.body();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException refusal) {
                throw refusal;
            }
            throw new IllegalArgumentException("the weights at " + uri + " could not be fetched: " + cause);
        } catch (TimeoutException e) {
            throw new IllegalArgumentException("the weights at " + uri + " could not be fetched within " + timeout.toMillis()
                    + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalArgumentException("fetching the weights at " + uri + " was interrupted");
        }
    }

    private static byte[] read(Path path, String uri) {
        try {
            if (Files.size(path) > MAX_BYTES) {
                throw new IllegalArgumentException("the weights at " + uri + " are " + Files.size(path)
                        + " bytes, more than the " + MAX_BYTES + " a sampler fetches");
            }
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("the weights at " + uri + " could not be read: no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("the weights at " + uri + " could not be read: " + e);
        }
    }

    /** Written beside and moved into place, so a reader never sees half a file; a cache that cannot be written only costs a fetch. */
    private void keep(Path cached, byte[] bytes) {
        Path partial = null;
        try {
            Files.createDirectories(cache);
            partial = Files.createTempFile(cache, cached.getFileName().toString(), ".partial");
            Files.write(partial, bytes);
            Files.move(partial, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // Served from memory this time; the next load fetches again.
            try {
                if (partial != null) {
                    Files.deleteIfExists(partial);
                }
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }
}
