using System.Text;
using System.Threading.Channels;

namespace Appliance.Proxy.Logging;

/// <summary>
/// Writes access-log lines off the request path: requests enqueue into a bounded channel and a
/// single task appends them to the file (or standard output). When the disk cannot keep up,
/// lines are dropped and counted rather than slowing requests.
/// </summary>
internal sealed class AccessLogWriter : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(
        new BoundedChannelOptions(16_384) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Task _pump;
    private long _dropped;

    public AccessLogWriter(string? path)
    {
        _pump = Task.Run(() => PumpAsync(path));
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Write(string line)
    {
        if (!_lines.Writer.TryWrite(line))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private async Task PumpAsync(string? path)
    {
        var stream = string.IsNullOrEmpty(path)
            ? Console.OpenStandardOutput()
            : new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, useAsync: true);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 64 * 1024);
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var line))
            {
                await writer.WriteLineAsync(line).ConfigureAwait(false);
            }

            await writer.FlushAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
    }
}
