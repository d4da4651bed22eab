using System.CommandLine;
using System.Text.Json;
using Appliance.Cli.Client;
using Spectre.Console;

namespace Appliance.Cli.Output;

/// <summary>
/// One command's run: the options in force, the console, and the rules every command shares for
/// talking to the node and for reporting failures (one line saying what to do, and the exit code).
/// </summary>
internal sealed class CliContext
{
    private readonly ParseResult _parse;
    private readonly GlobalOptions _options;

    public CliContext(ParseResult parse, GlobalOptions options)
    {
        _parse = parse;
        _options = options;
        Json = parse.GetValue(options.Json);
        Console = CreateConsole();
    }

    public bool Json { get; }

    public IAnsiConsole Console { get; }

    public string NodeText => _parse.GetValue(_options.Node)!;

    /// <summary>
    /// Runs one API call and prints its answer: JSON as received with --json, else <paramref name="human"/>.
    /// The exit code is <see cref="ExitCodes.Ok"/> unless <paramref name="exitCode"/> judges the answer otherwise.
    /// </summary>
    public async Task<int> RunAsync<T>(Func<AdminClient, Task<ApiResult<T>>> call, Action<T> human, Func<T, int>? exitCode = null)
        where T : class
    {
        if (!TryConnect(out var client, out var exit))
        {
            return exit;
        }

        using (client)
        {
            var result = await call(client).ConfigureAwait(false);
            if (!result.Ok)
            {
                return Fail(result);
            }

            if (Json)
            {
                WriteJson(result.Raw);
            }
            else
            {
                human(result.Value!);
            }

            return exitCode?.Invoke(result.Value!) ?? ExitCodes.Ok;
        }
    }

    /// <summary>Checks --node and reads --token-file; false (with a usage message) when either is unusable.</summary>
    public bool TryConnect(out AdminClient client, out int exit)
    {
        client = null!;
        exit = ExitCodes.Usage;
        if (!Uri.TryCreate(NodeText, UriKind.Absolute, out var node) || node.Scheme is not ("http" or "https"))
        {
            exit = Error($"'{NodeText}' is not a node address: give --node http://HOST:PORT (the node's Admin.Address), e.g. {GlobalOptions.DefaultNode}.", ExitCodes.Usage);
            return false;
        }

        string? token = null;
        if (_parse.GetValue(_options.TokenFile) is { } file)
        {
            try
            {
                token = File.ReadAllText(file).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                exit = Error($"cannot read the token file '{file}' ({e.Message}): give --token-file the file the node's Admin.TokenFile names (or a copy of it).", ExitCodes.Usage);
                return false;
            }

            if (token.Length == 0)
            {
                exit = Error($"the token file '{file}' is empty: copy the node's Admin.TokenFile.", ExitCodes.Usage);
                return false;
            }
        }

        client = new AdminClient(node, token);
        exit = ExitCodes.Ok;
        return true;
    }

    /// <summary>Reports a failed call: unreachable (exit 3) or refused by the node (exit 1).</summary>
    public int Fail<T>(ApiResult<T> result)
        where T : class
    {
        if (result.Unreachable is { } reason)
        {
            return Error($"cannot reach the admin API at {NodeText}: {reason}. Is applianced running there? Check --node or ${GlobalOptions.NodeVariable} (default {GlobalOptions.DefaultNode}).", ExitCodes.Unreachable);
        }

        var problem = result.Problem!;
        if (Json)
        {
            WriteJson(result.Raw);
        }

        var hint = problem.Status switch
        {
            401 => " Pass the node's token with --token-file FILE.",
            403 when problem.Detail?.Contains("Admin.TokenFile is not set", StringComparison.Ordinal) == true => " Run appliancectl on the node itself, or set Admin.TokenFile there.",
            _ => "",
        };
        Error($"{problem.Detail ?? problem.Title ?? "the node refused"}{hint}", ExitCodes.Refused);
        foreach (var error in problem.Errors ?? [])
        {
            System.Console.Error.WriteLine($"  {error.Path}: {error.Message}");
        }

        return ExitCodes.Refused;
    }

    public static int Error(string message, int exitCode)
    {
        System.Console.Error.WriteLine($"appliancectl: {message}");
        return exitCode;
    }

    public static void WriteJson(string raw)
    {
        using var document = JsonDocument.Parse(raw);
        System.Console.Out.WriteLine(JsonSerializer.Serialize(document.RootElement, JsonIndented.Options));
    }

    private static IAnsiConsole CreateConsole()
    {
        // Colour only on a terminal: piped output (scripts, files, tests) stays plain. NO_COLOR is honoured too.
        var terminal = !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(System.Console.Out),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (System.Console.IsOutputRedirected)
        {
            console.Profile.Width = 200; // piped into a file or another program: do not wrap at 80
        }

        return console;
    }

    private static class JsonIndented
    {
        public static readonly JsonSerializerOptions Options = new()
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
    }
}
