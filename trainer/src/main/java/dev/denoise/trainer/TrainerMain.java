package dev.denoise.trainer;

import dev.denoise.diffusion.ComputeDevice;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Runs training without the CLI:
 * {@code --data DIR --epochs N --batch N --lr X --seed N --out DIR --resume --threads N
 * --held-out N --model NAME}. Start the JVM with the glibc malloc settings (see the parent pom).
 */
public final class TrainerMain {

    private TrainerMain() {
    }

    public static void main(String[] args) throws Exception {
        TrainingOptions options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: TrainerMain [--data DIR] [--epochs 10] [--batch 128] "
                    + "[--lr 1e-3] [--seed 0] [--out .denoise/train] [--resume] [--threads N] "
                    + "[--held-out 1000] [--model mnist]");
            System.exit(2);
            return;
        }
        // PyTorch reads its thread counts once, when the engine loads.
        ComputeDevice.configureThreads(options.threads(), 0);
        TrainedModel model;
        try {
            model = new DenoiserTrainer().train(options, new ConsoleProgress(System.out));
        } catch (InvalidDatasetException | IllegalStateException e) {
            // Bad data, no network, or an incompatible checkpoint: the message says what to do.
            System.err.println("error: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.printf(Locale.ROOT, "%s: %s sha256=%s final loss %.5f%n", model.modelName(),
                model.architecture(), model.sha256(), model.finalLoss());
        model.metrics().forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-30s %.4f%n", k, v));
        System.out.println("weights: " + options.outputDir().resolve(model.modelName() + ".weights"));
    }

    static TrainingOptions parse(String[] args) {
        TrainingOptions options = TrainingOptions.defaults();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--resume")) {
                options = options.withResume(true);
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Missing value after " + flag);
            }
            String value = args[++i];
            try {
                options = switch (flag) {
                    case "--data" -> options.withDataDir(Path.of(value));
                    case "--epochs" -> options.withEpochs(Integer.parseInt(value));
                    case "--batch" -> options.withBatchSize(Integer.parseInt(value));
                    case "--lr" -> options.withLearningRate(Float.parseFloat(value));
                    case "--seed" -> options.withSeed(Long.parseLong(value));
                    case "--out" -> options.withOutputDir(Path.of(value));
                    case "--threads" -> options.withThreads(Integer.parseInt(value));
                    case "--held-out" -> options.withHeldOut(Integer.parseInt(value));
                    case "--model" -> options.withModelName(value);
                    default -> throw new IllegalArgumentException("Unknown option " + flag);
                };
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Not a number for " + flag + ": " + value);
            }
        }
        return options;
    }
}
