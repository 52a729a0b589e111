package dev.denoise.trainer;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Map;

/**
 * Fetches the standard MNIST training split once into a cache folder and verifies the files'
 * published MD5 checksums (the ones torchvision checks). Offline, it fails with a message that
 * says to pass {@code --data}.
 */
final class MnistDownload {

    private static final String MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/";
    private static final Map<String, String> MD5 = Map.of(
            "train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873",
            "train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432");

    private MnistDownload() {
    }

    static MnistDataset ensure(Path cacheDir, TrainingListener listener) throws IOException {
        Files.createDirectories(cacheDir);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        for (Map.Entry<String, String> file : MD5.entrySet()) {
            Path target = cacheDir.resolve(file.getKey());
            if (Files.exists(target) && md5(target).equals(file.getValue())) {
                continue;
            }
            listener.onMessage("Downloading " + MIRROR + file.getKey());
            Path temp = cacheDir.resolve(file.getKey() + ".part");
            try {
                HttpResponse<InputStream> response = client.send(
                        HttpRequest.newBuilder(URI.create(MIRROR + file.getKey())).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() != 200) {
                    throw new IOException("HTTP " + response.statusCode());
                }
                try (InputStream body = response.body()) {
                    Files.copy(body, temp, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException | InterruptedException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new InvalidDatasetException("Cannot download MNIST (" + e + "). Offline? "
                        + "Train on the shipped test split (the default, data/mnist) or pass --data DIR "
                        + "with MNIST-format IDX files", e);
            }
            String actual = md5(temp);
            if (!actual.equals(file.getValue())) {
                Files.deleteIfExists(temp);
                throw new InvalidDatasetException("Downloaded " + file.getKey() + " has MD5 "
                        + actual + ", expected " + file.getValue() + "; not using it");
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return MnistDataset.fromFiles("mnist/train", cacheDir.resolve("train-images-idx3-ubyte.gz"),
                cacheDir.resolve("train-labels-idx1-ubyte.gz"));
    }

    private static String md5(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("MD5");
            return String.format("%032x", new BigInteger(1, digest.digest(Files.readAllBytes(file))));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
