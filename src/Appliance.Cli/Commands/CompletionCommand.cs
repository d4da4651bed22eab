using System.CommandLine;

namespace Appliance.Cli.Commands;

/// <summary>
/// <c>completion bash|zsh</c>: prints a shell script that completes appliancectl's commands,
/// options and (asking the node) backend names. It uses System.CommandLine's <c>[suggest]</c>
/// directive, so the binary itself decides what to offer.
/// </summary>
internal static class CompletionCommand
{
    private const string Bash = """
        # appliancectl completion for bash. Load it with:
        #   source <(appliancectl completion bash)
        # or install it:  appliancectl completion bash > /etc/bash_completion.d/appliancectl
        _appliancectl_complete() {
            local IFS=$'\n'
            local suggestions
            suggestions=$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)
            COMPREPLY=( $(compgen -W "${suggestions}" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _appliancectl_complete appliancectl

        """;

    private const string Zsh = """
        # appliancectl completion for zsh. Load it with:
        #   source <(appliancectl completion zsh)
        _appliancectl_complete() {
            local -a suggestions
            suggestions=("${(@f)$(${words[1]} "[suggest:${#BUFFER}]" "${BUFFER}" 2>/dev/null)}")
            compadd -a suggestions
        }
        compdef _appliancectl_complete appliancectl

        """;

    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash or zsh." };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "Print a shell completion script for appliancectl (bash or zsh), e.g. source <(appliancectl completion bash).") { shell };
        command.SetAction(parse =>
        {
            Console.Out.Write(parse.GetValue(shell) == "zsh" ? Zsh : Bash);
            return ExitCodes.Ok;
        });
        return command;
    }
}
