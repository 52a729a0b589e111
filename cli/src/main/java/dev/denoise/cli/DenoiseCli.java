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
        scope = ScopeType.INHERIT, // every subcommand gets -h/--help; -V/--version is the top command's alone
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
        withoutVersionOption(cli.getSubcommands().values());
        ConnectionOptions.describeFlags(cli);
        GeneratedHelp.describeFamilies(cli);
        return cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("denoise: " + describe(e));
            return 1;
        });
    }

    /**
     * Only {@code denoise --version} prints the version: in a subcommand {@code --version} would win
     * over every other argument and exit 0 having done nothing (a {@code promote ... --version 1}
     * that promotes nothing), so there it is an unknown option, a usage error.
     */
    private static void withoutVersionOption(java.util.Collection<CommandLine> commands) {
        for (CommandLine command : commands) {
            CommandLine.Model.OptionSpec version = command.getCommandSpec().findOption("--version");
            if (version != null) {
                command.getCommandSpec().remove(version);
            }
            withoutVersionOption(command.getSubcommands().values());
        }
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
