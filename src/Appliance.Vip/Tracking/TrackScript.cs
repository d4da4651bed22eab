using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Appliance.Core.Configuration;

namespace Appliance.Vip.Tracking;

/// <summary>
/// One track script (keepalived's vrrp_script): run every <c>Interval</c>, killed after
/// <c>Timeout</c>, exit code 0 = healthy, judged with rise/fall so one flaky run moves nothing.
/// <see cref="Failing"/> is read by the VIP loop from another thread.
/// </summary>
internal sealed class TrackScript(TrackScriptOptions options, TimeProvider time)
{
    private RiseFallState _state = RiseFallState.Initial;
    private volatile bool _failing;

    public TrackScriptOptions Options => options;

    /// <summary>Whether rise/fall judges it failed now (a script starts healthy).</summary>
    public bool Failing => _failing;

    /// <summary>Runs until <paramref name="stop"/>; <paramref name="changed"/> gets a line each time the verdict flips.</summary>
    public async Task RunAsync(Action<string> changed, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(options.Interval, time);
        try
        {
            do
            {
                var (ok, problem) = await RunOnceAsync(options.Path, options.Timeout, stop).ConfigureAwait(false);
                var before = _state.Healthy;
                _state = _state.Observe(ok, options.Rise, options.Fall);
                _failing = !_state.Healthy;
                if (before != _state.Healthy)
                {
                    changed(_state.Healthy
                        ? $"track script {options.Path}: healthy again after {options.Rise} good run(s)"
                        : $"track script {options.Path}: failed after {options.Fall} bad run(s) (last: {problem}); weight {options.Weight}");
                }
            }
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>One run: (true, null) on exit code 0, else false and why (exit code, timeout, cannot start).</summary>
    public static async Task<(bool Ok, string? Problem)> RunOnceAsync(string path, TimeSpan timeout, CancellationToken stop)
    {
        var info = new ProcessStartInfo(path)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new Win32Exception("no process started");
        }
        catch (Win32Exception e)
        {
            return (false, $"cannot start it: {e.Message}");
        }

        using (process)
        {
            // Read and drop its output so a chatty script never blocks on a full pipe.
            process.OutputDataReceived += static (_, _) => { };
            process.ErrorDataReceived += static (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.StandardInput.Close();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(stop);
            limit.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                stop.ThrowIfCancellationRequested();
                return (false, $"no answer within {timeout.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms (killed)");
            }

            return process.ExitCode == 0 ? (true, null) : (false, $"exit code {process.ExitCode}");
        }
    }
}
