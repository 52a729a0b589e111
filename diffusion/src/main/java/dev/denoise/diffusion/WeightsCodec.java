package dev.denoise.diffusion;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Parameters ↔ bytes, using DJL's own parameter encoding (bit-exact round trip), and the checks
 * that guard loading: architecture name, hyper-parameters, hash, and every parameter's shape.
 */
public final class WeightsCodec {

    private WeightsCodec() {
    }

    /** The block's parameters as bytes, in parameter order. */
    public static byte[] encode(Block block) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            block.saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode parameters", e);
        }
        return bytes.toByteArray();
    }

    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /**
     * Checks {@code weights} against {@code architecture} and loads them into {@code block}, an
     * initialised block built by that architecture. Refuses with {@link WeightsMismatchException}
     * on any mismatch, naming what differs.
     */
    public static void load(DenoiserArchitecture architecture, Block block, NDManager manager,
                            WeightsPackage weights) {
        if (!architecture.name().equals(weights.architecture())) {
            throw new WeightsMismatchException("Weights are for architecture '"
                    + weights.architecture() + "', not '" + architecture.name() + "'");
        }
        if (!architecture.hyperParameters().equals(weights.hyperParameters())) {
            throw new WeightsMismatchException("Weights for " + architecture.name()
                    + " have hyper-parameters " + weights.hyperParameters()
                    + " but this architecture has " + architecture.hyperParameters());
        }
        String actual = sha256Hex(weights.weights());
        if (!actual.equalsIgnoreCase(weights.sha256())) {
            throw new WeightsMismatchException("Weights hash mismatch: declared sha256 "
                    + weights.sha256() + " but the " + weights.weights().length
                    + " bytes hash to " + actual);
        }
        List<Shape> expected = shapes(block);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(weights.weights()))) {
            block.loadParameters(manager, in);
            if (in.read() != -1) {
                throw new WeightsMismatchException("Weights for " + architecture.name()
                        + " have trailing bytes after the last parameter");
            }
        } catch (IOException | MalformedModelException | RuntimeException e) {
            if (e instanceof WeightsMismatchException w) {
                throw w;
            }
            throw new WeightsMismatchException("Weights do not decode as parameters of "
                    + architecture.name() + ": " + e.getMessage(), e);
        }
        List<Shape> loaded = shapes(block);
        for (int i = 0; i < expected.size(); i++) {
            if (!Objects.equals(expected.get(i), loaded.get(i))) {
                String name = block.getParameters().get(i).getKey();
                throw new WeightsMismatchException("Parameter " + name + " of "
                        + architecture.name() + " has shape " + loaded.get(i) + " in the weights, "
                        + "expected " + expected.get(i));
            }
        }
    }

    private static List<Shape> shapes(Block block) {
        List<Shape> shapes = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            shapes.add(p.getValue().getArray().getShape());
        }
        return shapes;
    }
}
