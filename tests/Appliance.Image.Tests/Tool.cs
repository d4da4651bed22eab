using System.Diagnostics;

namespace Appliance.Image.Tests;

/// <summary>Runs an external program to completion (bounded), capturing its output.</summary>
internal static class Tool
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;

        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// Runs <paramref name="program"/>; <paramref name="environment"/> entries are set (a null
    /// value removes the variable); with <paramref name="clearEnvironment"/> only those exist;
    /// <paramref name="input"/> is written to its standard input, which is then closed.
    /// </summary>
    public static async Task<Result> RunAsync(
        string program,
        IEnumerable<string> args,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        bool clearEnvironment = false,
        int timeoutSeconds = 120,
        string? input = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repo.Root,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        if (clearEnvironment)
        {
            info.Environment.Clear();
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        using var process = Process.Start(info)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish within {timeoutSeconds} s");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
