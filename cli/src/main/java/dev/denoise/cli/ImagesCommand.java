package dev.denoise.cli;

import dev.denoise.client.ResultStream;
import dev.denoise.schemas.GeneratedImage;
import dev.denoise.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code denoise images}: generated images (read_committed) into PNG files and a contact sheet. */
@Command(name = "images", description = "Write generated images to PNG files named by request, seed and model version.")
final class ImagesCommand implements Callable<Integer> {
    @Option(names = "--request", paramLabel = "ID", description = "Only this request's images, read from the beginning of "
            + "the topic; none is an error that says why.")
    String requestId;
    @Option(names = "--from-beginning", description = "Read the whole topic, not only images produced from now on.")
    boolean fromBeginning;
    @Option(names = "--follow", description = "Keep writing new images until Ctrl-C.")
    boolean follow;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the PNG files.")
    Path out;
    @Option(names = "--sheet", paramLabel = "FILE", description = "Also draw a contact sheet of the images written.")
    Path sheet;
    @Option(names = "--idle-timeout", defaultValue = "10",
            description = "Without --follow, --from-beginning or --request: stop after this many seconds without a new image "
                    + "(default ${DEFAULT-VALUE}).")
    int idleSeconds;
    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Override
    public Integer call() throws Exception {
        ImageFolder folder = new ImageFolder(out);
        List<GeneratedImage> written = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        boolean wholeTopic = fromBeginning || requestId != null; // a request's images were written before this ran
        Topics topics = Topics.of(connection.settings());
        try (ResultStream results = new ResultStream(connection.settings(), topics, wholeTopic)) {
            long lastImage = System.currentTimeMillis();
            while (true) {
                for (GeneratedImage image : results.pollImages(Duration.ofMillis(200))) {
                    if (requestId == null || requestId.equals(image.getRequestId())) {
                        System.out.println(folder.write(image));
                        written.add(image);
                        lastImage = System.currentTimeMillis();
                    }
                }
                results.pollFailures().stream().filter(f -> requestId != null && requestId.equals(f.getRequestId()))
                        .forEach(f -> failures.add(f.getReason() + ": " + f.getMessage()));
                if (follow) {
                    continue;
                }
                if (wholeTopic ? results.caughtUp() : System.currentTimeMillis() - lastImage > idleSeconds * 1000L) {
                    break; // the topic as it was is written, or nothing new came for a while
                }
            }
        }
        if (requestId != null && written.isEmpty()) {
            throw new IllegalStateException("no images of request " + requestId + " on " + topics.images.name()
                    + (failures.isEmpty() ? " (is the request id right, and has it been served?)"
                            : "; it failed: " + String.join("; ", failures)));
        }
        if (sheet != null && !written.isEmpty()) {
            ImageFolder.writeSheet(written, sheet);
            System.err.println("contact sheet: " + sheet.toAbsolutePath());
        }
        System.err.printf("%d images written to %s%n", written.size(), out.toAbsolutePath());
        return 0;
    }
}
