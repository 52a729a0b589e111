package dev.denoise.cli;

import dev.denoise.bench.BenchmarkCommand;
import dev.denoise.bench.EvaluateCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/** {@code denoise}: the command line of denoise-stream. */
@Command(name = "denoise",
        mixinStandardHelpOptions = true,
        version = "denoise-stream 0.1.0",
        scope = ScopeType.INHERIT, // every subcommand gets -h/--help and -V/--version with this version
        description = "A diffusion model served on Kafka: run the local stack, produce requests, read images.",
        // The product's commands, then the lab's from the bench module.
        subcommands = {StackCommand.class, TopicsCommand.class, TrainCommand.class, ServeCommand.class, RequestCommand.class,
                ImagesCommand.class, ModelsCommand.class, LoadTestCommand.class, DemoCommand.class,
                EvaluateCommand.class, BenchmarkCommand.class, CommandLine.HelpCommand.class})
public final class DenoiseCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command and returns its exit code: 0 done, 1 failed, 2 bad usage. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The whole command tree, ready to execute. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new DenoiseCli());
        ServeCommand.declareSettings(cli.getSubcommands().get("serve").getCommandSpec());
        ConnectionOptions.describeFlags(cli);
        GeneratedHelp.describeFamilies(cli);
        return cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("denoise: " + describe(e));
            return 1;
        });
    }

    /**
     * The message a person needs, without a stack trace: wrappers that only say "something failed
     * below" (no message, ExecutionException, Kafka's RecordDeserializationException) give way to
     * their cause.
     */
    static String describe(Throwable e) {
        Throwable shown = e;
        while (shown.getCause() != null && (shown.getMessage() == null
                || shown instanceof java.util.concurrent.ExecutionException
                || shown instanceof org.apache.kafka.common.errors.RecordDeserializationException)) {
            shown = shown.getCause();
        }
        return shown.getMessage() != null ? shown.getMessage() : shown.toString();
    }
}
