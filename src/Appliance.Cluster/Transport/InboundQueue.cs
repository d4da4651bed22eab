using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Appliance.Cluster.Messages;

namespace Appliance.Cluster.Transport;

/// <summary>
/// The <see cref="IClusterTransport.Incoming"/> channel: bounded, and when the consumer lags it
/// drops the oldest heartbeat or gossip first (later ones supersede them), counting each drop.
/// </summary>
internal sealed class InboundQueue : ChannelReader<InboundMessage>
{
    private readonly DropOldestQueue<InboundMessage> _queue;
    private readonly TransportStats _stats;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public InboundQueue(int capacity, TransportStats stats)
    {
        _queue = new DropOldestQueue<InboundMessage>(capacity, m => IsExpendable(m.Message));
        _stats = stats;
    }

    public override bool CanCount => true;

    public override int Count => _queue.Count;

    public override bool CanPeek => true;

    public override Task Completion => _completion.Task;

    /// <summary>Heartbeats and gossip: a newer one makes an older one worthless.</summary>
    public static bool IsExpendable(ClusterMessage message) =>
        message is Heartbeat or HeartbeatAck or GossipStatus or GossipEnvelope;

    /// <summary>Adds a message; returns false when an older one was dropped for it.</summary>
    public bool Write(InboundMessage message)
    {
        if (_queue.Enqueue(message))
        {
            return true;
        }

        _stats.DropIncoming();
        return false;
    }

    public void Complete()
    {
        _queue.Complete();
        if (_queue.IsCompleted)
        {
            _completion.TrySetResult();
        }
    }

    public override bool TryRead([MaybeNullWhen(false)] out InboundMessage item)
    {
        var read = _queue.TryDequeue(out item);
        if (_queue.IsCompleted)
        {
            _completion.TrySetResult();
        }

        return read;
    }

    public override bool TryPeek([MaybeNullWhen(false)] out InboundMessage item) => _queue.TryPeek(out item);

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
        _queue.WaitToReadAsync(cancellationToken);
}
