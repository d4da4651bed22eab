using System.Diagnostics;

namespace Appliance.Tests.Support;

/// <summary>Runs the real <c>appliancectl</c> (the build output beside the tests) and captures what it printed.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    public static async Task<Result> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "appliancectl.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The tests say which node; the developer's environment must not.
        info.Environment.Remove("APPLIANCE_ADMIN");
        info.Environment.Remove("APPLIANCE_TOKEN_FILE");
        info.Environment["NO_COLOR"] = "1";

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
