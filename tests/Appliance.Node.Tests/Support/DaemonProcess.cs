using System.Diagnostics;
using System.Text;

namespace Appliance.Tests.Support;

/// <summary>
/// A real <c>applianced</c> process (the build output copied next to the tests), with its
/// output captured for assertions. Killed on dispose if still running.
/// </summary>
internal sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _lock = new();
    private int _disposed;

    private DaemonProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_lock)
            {
                return _output.ToString();
            }
        }
    }

    public static DaemonProcess Start(params string[] args) => StartUnder([], new Dictionary<string, string>(), args);

    /// <summary>Starts applianced with extra environment variables (e.g. NOTIFY_SOCKET).</summary>
    public static DaemonProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) => StartUnder([], environment, args);

    /// <summary>
    /// Starts applianced under a wrapper that execs it in the same process (e.g. <c>prlimit
    /// --nofile=2048:2048</c>), so <see cref="Id"/> and killing still reach the daemon.
    /// </summary>
    public static DaemonProcess StartUnder(IReadOnlyList<string> wrapper, params string[] args) => StartUnder(wrapper, new Dictionary<string, string>(), args);

    private static DaemonProcess StartUnder(IReadOnlyList<string> wrapper, IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var info = new ProcessStartInfo(wrapper.Count > 0 ? wrapper[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var part in wrapper.Skip(1).Concat(wrapper.Count > 0 ? ["dotnet"] : []))
        {
            info.ArgumentList.Add(part);
        }

        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "applianced.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return new DaemonProcess(Process.Start(info)!);
    }

    /// <summary>Whether the process has ended (killed, crashed or stopped).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Runs to completion (bounded) and returns the exit code.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        using var daemon = Start(args);
        var code = await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return (code, daemon.Output);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    /// <summary>Waits until the output contains <paramref name="text"/>; fails the test on timeout or exit.</summary>
    public async Task WaitForOutputAsync(string text, int timeoutMs = 15_000, int occurrences = 1)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (Count(Output, text) < occurrences)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"applianced exited ({_process.ExitCode}) before printing '{text}':\n{Output}");
            }

            Assert.True(DateTime.UtcNow < deadline, $"applianced did not print '{text}' in time:\n{Output}");
            await Task.Delay(50);
        }
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {_process.Id}");
        kill.WaitForExit();
    }

    private static int Count(string haystack, string needle)
    {
        var count = 0;
        for (var i = haystack.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = haystack.IndexOf(needle, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>Kills it if still running (SIGKILL); safe to call more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }
}
