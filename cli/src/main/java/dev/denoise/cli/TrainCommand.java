package dev.denoise.cli;

import dev.denoise.diffusion.ArticleUNet;
import dev.denoise.diffusion.ComputeDevice;
import dev.denoise.diffusion.Denoiser;
import dev.denoise.diffusion.DistilledUNet;
import dev.denoise.diffusion.ModelFamilies;
import dev.denoise.diffusion.ModelFamily;
import dev.denoise.localstack.ProjectHome;
import dev.denoise.schemas.ModelVersion;
import dev.denoise.schemas.config.ConnectionSettings;
import dev.denoise.trainer.ConsoleProgress;
import dev.denoise.trainer.DenoiserTrainer;
import dev.denoise.trainer.ModelVersionPublisher;
import dev.denoise.trainer.TrainedModel;
import dev.denoise.trainer.TrainedModelFiles;
import dev.denoise.trainer.TrainingOptions;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code denoise train}: the article's recipe on MNIST with DJL, optionally published as a new model version. */
@Command(name = "train", description = "Train a denoising U-Net on MNIST-format IDX files, evaluate it, and optionally publish it.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder with MNIST-format IDX files (gzip or raw); default: the MNIST test split the project "
                    + "ships in data/mnist.")
    Path data;

    @Option(names = "--download",
            description = "Train on the standard 60,000-digit MNIST training split instead, downloaded once into the "
                    + "output folder's cache (needs network access).")
    boolean download;

    @Option(names = "--architecture", defaultValue = ArticleUNet.NAME) // its help lists the families (GeneratedHelp)
    String architecture;

    @Option(names = "--distill-from", paramLabel = "TEACHER",
            description = "Distil a cond-unet teacher (its <model>.weights, with the .properties beside it) into a "
                    + "distilled-unet student that samples in 1, 2 or 4 passes with guidance built in.")
    Path distillFrom;

    @Option(names = "--epochs", defaultValue = "10", description = "Passes over the training images (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "128", description = "Images per Adam step (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam's learning rate (default ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(names = "--seed", defaultValue = "0",
            description = "Seeds weights, shuffling and noise: same seed, data and machine give identical weights (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Checkpoints, sample sheets, weights (default .denoise/train).")
    Path out;

    @Option(names = "--resume", description = "Continue from the checkpoint in the output folder.")
    boolean resume;

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch threads; 0 for the engine's default.")
    int threads;

    @Option(names = "--held-out", defaultValue = "1000", description = "Images kept out of training for evaluation (default ${DEFAULT-VALUE}).")
    int heldOut;

    @Option(names = "--model", defaultValue = "mnist", description = "Model name to publish under (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--publish", description = "Publish the trained model as the next version on the model-versions topic.")
    boolean publish;

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (download && data != null) {
            throw new ParameterException(spec.commandLine(), "--download and --data are exclusive: pick one data source");
        }
        // Settings are checked before anything loads: a bad one fails now, not after the training.
        ConnectionSettings connectionSettings = publish ? connection.settings() : null;
        if (distillFrom != null && spec.commandLine().getParseResult().hasMatchedOption("--architecture")) {
            throw new ParameterException(spec.commandLine(), "--distill-from trains a " + DistilledUNet.NAME
                    + " student; leave out --architecture");
        }
        ModelFamily family = ModelFamilies.named(architecture);
        TrainedModel teacherModel = distillFrom != null ? TrainedModelFiles.read(distillFrom) : null;
        ComputeDevice.configureThreads(threads, 0); // PyTorch reads thread counts once, when it loads
        TrainingOptions options = TrainingOptions.defaults()
                .withDataDir(download ? null : data != null ? data : ProjectHome.shippedMnist()).withEpochs(epochs).withBatchSize(batch).withLearningRate(learningRate)
                .withSeed(seed).withOutputDir(out != null ? out : ProjectHome.state().resolve("train"))
                .withResume(resume).withThreads(threads).withHeldOut(heldOut).withModelName(model);
        System.out.println("Device: " + ComputeDevice.describe());
        TrainedModel trained;
        if (teacherModel != null) {
            try (Denoiser teacher = Denoiser.load(teacherModel.weightsPackage(), ComputeDevice.choose())) {
                System.out.printf("Distilling %s (%s, sha256 %s…)%n", teacherModel.modelName(), teacherModel.architecture(),
                        teacherModel.sha256().substring(0, 12));
                trained = DenoiserTrainer.distilling(teacher).train(options, new ConsoleProgress(System.out));
            }
        } else {
            trained = new DenoiserTrainer(family.architecture()).train(options, new ConsoleProgress(System.out));
        }
        System.out.printf(Locale.ROOT, "Trained %s (%s), final loss %.5f, sha256 %s%n", trained.modelName(),
                trained.architecture(), trained.finalLoss(), trained.sha256());
        trained.metrics().forEach((name, value) -> System.out.printf(Locale.ROOT, "  %-28s %.4f%n", name, value));
        if (publish) {
            ModelVersionPublisher publisher = new ModelVersionPublisher(connectionSettings);
            ModelVersion version = publisher.publish(trained);
            System.out.printf("Published %s version %d to %s%n", version.getModel(), version.getVersion(),
                    publisher.topicName());
        }
        return 0;
    }
}
