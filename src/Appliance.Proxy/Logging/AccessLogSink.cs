namespace Appliance.Proxy.Logging;

/// <summary>
/// Owns the access-log writer for the life of the node (a DI singleton, so it is disposed, and its
/// queued lines flushed, when the host stops). A reload that moves the log opens a new writer and
/// lets the old one drain.
/// </summary>
internal sealed class AccessLogSink : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private (string? Path, AccessLogWriter Writer)? _current;

    public AccessLogWriter For(string? path)
    {
        if (_current is { } c && c.Path == path)
        {
            return c.Writer;
        }

        lock (_lock)
        {
            if (_current is { } existing && existing.Path == path)
            {
                return existing.Writer;
            }

            var old = _current?.Writer;
            var writer = new AccessLogWriter(path);
            _current = (path, writer);
            _ = old?.DisposeAsync().AsTask();
            return writer;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_current is { } c)
        {
            await c.Writer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
