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
    @Option(names = "--request", paramLabel = "ID", description = "Only this request's images.")
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
            description = "Without --follow or --from-beginning: stop after this many seconds without a new image (default ${DEFAULT-VALUE}).")
    int idleSeconds;
    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Override
    public Integer call() throws Exception {
        ImageFolder folder = new ImageFolder(out);
        List<GeneratedImage> written = new ArrayList<>();
        try (ResultStream results = new ResultStream(connection.settings(), Topics.of(connection.settings()), fromBeginning)) {
            long lastImage = System.currentTimeMillis();
            while (true) {
                for (GeneratedImage image : results.pollImages(Duration.ofMillis(200))) {
                    if (requestId == null || requestId.equals(image.getRequestId())) {
                        System.out.println(folder.write(image));
                        written.add(image);
                        lastImage = System.currentTimeMillis();
                    }
                }
                if (follow) {
                    continue;
                }
                if (fromBeginning ? results.caughtUp() : System.currentTimeMillis() - lastImage > idleSeconds * 1000L) {
                    break; // the topic as it was is written, or nothing new came for a while
                }
            }
        }
        if (sheet != null && !written.isEmpty()) {
            ImageFolder.writeSheet(written, sheet);
            System.err.println("contact sheet: " + sheet.toAbsolutePath());
        }
        System.err.printf("%d images written to %s%n", written.size(), out.toAbsolutePath());
        return 0;
    }
}
