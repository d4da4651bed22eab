using System.Diagnostics;
using Appliance.Tests.Support.Netns;

namespace Appliance.Tests.Support.Degraded;

/// <summary>
/// Holds every packet an NFQUEUE rule sends to queue <c>Queue</c> in one network namespace for
/// <c>delay ± jitter</c> (uniform), then accepts it: netem's delay, done from user space because this
/// kernel has no sch_netem. Packets whose hold times cross leave in a different order than they
/// came: that is the reordering. The kernel bounds the queue (<c>maxLength</c>, failing open when
/// full), the rule carries <c>--queue-bypass</c> (no listener: packets pass), and
/// <see cref="Dispose"/> accepts whatever is still held, so a slow or dead delayer never drops
/// traffic silently. Two threads: one receives packet ids, one releases them when due.
/// </summary>
internal sealed class PacketDelayer : IDisposable
{
    private const int VerdictsPerDatagram = 64;
    private readonly NfqSocket _socket;
    private readonly ushort _queue;
    private readonly long _delayTicks;
    private readonly long _jitterTicks;
    private readonly Random _random;
    private readonly PriorityQueue<uint, long> _held = new();
    private readonly object _lock = new(); // Monitor.Wait/Pulse: the releaser sleeps until the next due time
    private readonly Thread _receiver;
    private readonly Thread _releaser;
    private volatile bool _stopping;
    private volatile bool _flushing;
    private int _seq;
    private long _received;
    private long _released;
    private long _overflows;
    private long _maxLateTicks;
    private long _lateOver20Ms;
    private long _lateOver100Ms;
    private int _maxHeld;
    private int _realtimeThreads;

    public PacketDelayer(string netns, ushort queue, TimeSpan delay, TimeSpan jitter, uint maxLength, int seed)
    {
        if (jitter > delay)
        {
            throw new ArgumentOutOfRangeException(nameof(jitter), "jitter above the delay would release packets before they arrive");
        }

        _queue = queue;
        _delayTicks = Ticks(delay);
        _jitterTicks = Ticks(jitter);
        _random = new Random(seed);
        using (var inside = new NamespaceThread(netns))
        {
            _socket = inside.Invoke(() => NfqSocket.Open(TimeSpan.FromMilliseconds(100), 8 << 20));
        }

        try
        {
            Configure(NfqMessages.Bind(queue, maxLength, ++_seq), "bind to queue " + queue);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        _receiver = new Thread(Receive) { IsBackground = true, Name = $"delayer rx {netns}" };
        _releaser = new Thread(Release) { IsBackground = true, Name = $"delayer tx {netns}" };
        _receiver.Start();
        _releaser.Start();
    }

    /// <summary>Packets the kernel handed over.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Packets accepted again after their hold.</summary>
    public long Released => Interlocked.Read(ref _released);

    /// <summary>Times the socket's buffer overflowed (ENOBUFS): packets whose ids were lost stay queued until the kernel's queue fails open.</summary>
    public long Overflows => Interlocked.Read(ref _overflows);

    /// <summary>The most packets held at once.</summary>
    public int MaxHeld => Volatile.Read(ref _maxHeld);

    /// <summary>The latest a packet was released after its due time (a loaded machine makes the delay longer, never shorter).</summary>
    public TimeSpan MaxLate => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _maxLateTicks));

    /// <summary>Packets released more than 20 ms, and more than 100 ms, after their due time.</summary>
    public (long Over20Ms, long Over100Ms) Late => (Interlocked.Read(ref _lateOver20Ms), Interlocked.Read(ref _lateOver100Ms));

    /// <summary>Whether both threads run under SCHED_FIFO (see <see cref="RealtimeScheduling"/>).</summary>
    public bool Realtime => Volatile.Read(ref _realtimeThreads) == 2;

    private static long Ticks(TimeSpan t) => (long)(t.TotalSeconds * Stopwatch.Frequency);

    private void Configure(byte[] message, string what)
    {
        _socket.Send(message);
        var buffer = new byte[8192];
        var ids = new List<uint>();
        var errors = new List<int>();
        var deadline = Stopwatch.StartNew();
        while (errors.Count == 0)
        {
            var n = _socket.Receive(buffer);
            if (n < 0 && n != -NfqSocket.Eagain && n != -NfqSocket.Eintr)
            {
                throw new IOException($"nfqueue {what}: receive failed, errno {-n}");
            }

            if (n > 0)
            {
                NfqMessages.Parse(buffer.AsSpan(0, n), ids, errors);
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(5))
            {
                throw new IOException($"nfqueue {what}: no answer from the kernel in 5 s");
            }
        }

        if (errors[0] != 0)
        {
            throw new IOException($"nfqueue {what} refused: errno {errors[0]}");
        }
    }

    private void Receive()
    {
        var buffer = new byte[64 * 1024];
        var ids = new List<uint>();
        var errors = new List<int>();
        EnterRealtime();
        while (!_stopping)
        {
            var n = _socket.Receive(buffer);
            if (n == -NfqSocket.Enobufs)
            {
                Interlocked.Increment(ref _overflows);
                continue;
            }

            if (n <= 0)
            {
                continue; // timeout (a chance to notice the stop) or EINTR
            }

            ids.Clear();
            errors.Clear();
            NfqMessages.Parse(buffer.AsSpan(0, n), ids, errors);
            if (ids.Count == 0)
            {
                continue;
            }

            var now = Stopwatch.GetTimestamp();
            lock (_lock)
            {
                foreach (var id in ids)
                {
                    var hold = _delayTicks + (long)((_random.NextDouble() * 2 - 1) * _jitterTicks);
                    _held.Enqueue(id, now + hold);
                }

                _maxHeld = Math.Max(_maxHeld, _held.Count);
                Interlocked.Add(ref _received, ids.Count);
                Monitor.Pulse(_lock); // the releaser may be sleeping past the new earliest due time
            }
        }
    }

    private void Release()
    {
        var batch = new byte[VerdictsPerDatagram * NfqMessages.VerdictLength];
        var due = new List<uint>(VerdictsPerDatagram);
        EnterRealtime();
        while (true)
        {
            due.Clear();
            var late = 0L;
            lock (_lock)
            {
                while (due.Count == 0)
                {
                    var now = Stopwatch.GetTimestamp();
                    while (due.Count < VerdictsPerDatagram && _held.TryPeek(out var id, out var at) && (at <= now || _flushing))
                    {
                        _held.Dequeue();
                        due.Add(id);
                        late = Math.Max(late, now - at);
                        CountLate(now - at);
                    }

                    if (due.Count > 0)
                    {
                        break;
                    }

                    if (_flushing)
                    {
                        return;
                    }

                    var wait = _held.TryPeek(out _, out var next) ? Stopwatch.GetElapsedTime(now, next) : TimeSpan.FromMilliseconds(100);
                    Monitor.Wait(_lock, TimeSpan.FromMilliseconds(Math.Clamp(Math.Ceiling(wait.TotalMilliseconds), 0, 100))); // whole ms, rounded up: no spinning on a sub-millisecond wait
                }
            }

            for (var i = 0; i < due.Count; i++)
            {
                NfqMessages.WriteVerdict(batch.AsSpan(i * NfqMessages.VerdictLength), _queue, due[i], Interlocked.Increment(ref _seq));
            }

            try
            {
                _socket.Send(batch.AsSpan(0, due.Count * NfqMessages.VerdictLength));
            }
            catch (IOException)
            {
                // a verdict for a packet the kernel already let go (queue flushed): nothing is held
            }

            Interlocked.Add(ref _released, due.Count);
            if (late > Interlocked.Read(ref _maxLateTicks))
            {
                Interlocked.Exchange(ref _maxLateTicks, late);
            }
        }
    }

    private void EnterRealtime()
    {
        if (RealtimeScheduling.TryEnter(priority: 10))
        {
            Interlocked.Increment(ref _realtimeThreads);
        }
    }

    private void CountLate(long ticks)
    {
        if (_flushing)
        {
            return; // released early on purpose
        }

        if (ticks > Stopwatch.Frequency / 50)
        {
            Interlocked.Increment(ref _lateOver20Ms);
        }

        if (ticks > Stopwatch.Frequency / 10)
        {
            Interlocked.Increment(ref _lateOver100Ms);
        }
    }

    /// <summary>Stops receiving, accepts every packet still held at once, unbinds and closes.</summary>
    public void Dispose()
    {
        // Receiving stops first, so nothing is taken after the last release.
        _stopping = true;
        _receiver.Join(TimeSpan.FromSeconds(5));
        _flushing = true;
        lock (_lock)
        {
            Monitor.PulseAll(_lock);
        }

        _releaser.Join(TimeSpan.FromSeconds(5));
        try
        {
            _socket.Send(NfqMessages.Unbind(_queue, ++_seq));
        }
        catch (IOException)
        {
            // closing the socket unbinds as well
        }

        _socket.Dispose();
    }
}
