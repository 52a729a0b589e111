package dev.denoise.trainer;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/** Draws a per-epoch progress bar with the running loss and ETA, and prints epoch summaries. */
public final class ConsoleProgress implements TrainingListener {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private long epochStart;
    private long lastDraw;
    private double lossSum;

    public ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onStart(String description, int trainImages, int heldOutImages, int startEpoch,
                        int epochs) {
        out.printf(Locale.ROOT, "Training on %s: %,d images, %,d held out, epochs %d..%d%n",
                description, trainImages, heldOutImages, startEpoch, epochs);
    }

    @Override
    public void onEpochStart(int epoch, int epochs, int batches) {
        epochStart = System.nanoTime();
        lastDraw = 0;
        lossSum = 0;
    }

    @Override
    public void onBatch(int epoch, int batch, int batches, double loss) {
        lossSum += loss;
        long now = System.nanoTime();
        if (batch < batches && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        double elapsed = (now - epochStart) / 1e9;
        double eta = elapsed / batch * (batches - batch);
        int filled = (int) ((long) WIDTH * batch / batches);
        out.printf(Locale.ROOT, "\repoch %2d [%s%s] %d/%d loss %.5f ETA %3.0fs ", epoch,
                "#".repeat(filled), ".".repeat(WIDTH - filled), batch, batches, lossSum / batch,
                eta);
        if (batch == batches) {
            out.println();
        }
        out.flush();
    }

    @Override
    public void onEpochEnd(EpochSummary summary) {
        StringBuilder mse = new StringBuilder();
        for (Map.Entry<String, Double> e : summary.heldOut().entrySet()) {
            mse.append(String.format(Locale.ROOT, " %s=%.4f", e.getKey(), e.getValue()));
        }
        out.printf(Locale.ROOT, "epoch %d/%d: loss %.5f, %.1f s, %.0f images/s;%s%n",
                summary.epoch(), summary.epochs(), summary.meanLoss(), summary.seconds(),
                summary.imagesPerSecond(), mse);
        summary.sampleSheets().forEach(p -> out.println("  samples: " + p));
    }

    @Override
    public void onMessage(String message) {
        out.println(message);
    }
}
