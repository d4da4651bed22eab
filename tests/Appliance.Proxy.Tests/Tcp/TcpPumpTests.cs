using System.Text;
using Appliance.Proxy.Tcp;
using Appliance.Tests.Support;

namespace Appliance.Tests.Tcp;

/// <summary>The pump over in-memory pipes: bytes both ways, half-close, reset, and no allocation per read.</summary>
public sealed class TcpPumpTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>A client and a backend, each with the end the pump holds and the far end the test drives.</summary>
    private static (PipeEnd Client, PipeEnd Backend, Task<PumpResult> Pump) Start()
    {
        var (clientNear, clientFar) = PipeEnd.CreatePair();
        var (backendNear, backendFar) = PipeEnd.CreatePair();
        return (clientFar, backendFar, TcpPump.RunAsync(clientNear, backendNear, new ActivityClock()));
    }

    [Fact(Timeout = 30_000)]
    public async Task RunAsync_BytesBothWays_ArriveInOrderAndAreCounted()
    {
        var (client, backend, pump) = Start();
        var upload = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();
        var download = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 13)).ToArray();

        // Pipes push back after 64 KiB, so send and receive at the same time, as sockets would.
        var sending = Task.WhenAll(SendAllAsync(client, upload), SendAllAsync(backend, download));
        var uploaded = backend.ReadToEndAsync();
        var downloaded = client.ReadToEndAsync();

        Assert.Equal(upload, await uploaded.WaitAsync(Bound));
        Assert.Equal(download, await downloaded.WaitAsync(Bound));
        await sending.WaitAsync(Bound);
        var result = await pump.WaitAsync(Bound);
        Assert.Equal(new PumpResult(PumpOutcome.Finished, PumpOutcome.Finished, upload.Length, download.Length), result);
    }

    private static async Task SendAllAsync(PipeEnd end, byte[] data)
    {
        await end.SendAsync(data);
        end.ShutdownSend();
    }

    [Fact(Timeout = 30_000)]
    public async Task RunAsync_ClientHalfCloses_BackendSeesFinAndClientStillGetsTheAnswer()
    {
        var (client, backend, pump) = Start();

        await client.SendAsync("question"u8.ToArray());
        client.ShutdownSend();
        var asked = await backend.ReadToEndAsync().WaitAsync(Bound); // ends only because the FIN was passed on
        await backend.SendAsync("answer after the client's FIN"u8.ToArray());
        backend.ShutdownSend();

        Assert.Equal("question", Encoding.ASCII.GetString(asked));
        Assert.Equal("answer after the client's FIN", Encoding.ASCII.GetString(await client.ReadToEndAsync().WaitAsync(Bound)));
        Assert.False((await pump.WaitAsync(Bound)).WasReset);
    }

    [Fact(Timeout = 30_000)]
    public async Task RunAsync_BackendHalfClosesFirst_ClientCanStillSend()
    {
        var (client, backend, pump) = Start();

        await backend.SendAsync("banner"u8.ToArray());
        backend.ShutdownSend();
        Assert.Equal("banner", Encoding.ASCII.GetString(await client.ReadToEndAsync().WaitAsync(Bound)));
        await client.SendAsync("late data"u8.ToArray());
        client.ShutdownSend();

        Assert.Equal("late data", Encoding.ASCII.GetString(await backend.ReadToEndAsync().WaitAsync(Bound)));
        Assert.False((await pump.WaitAsync(Bound)).WasReset);
    }

    [Fact(Timeout = 30_000)]
    public async Task RunAsync_ClientResets_BackendIsReset()
    {
        var (client, backend, pump) = Start();
        await client.SendAsync("partial"u8.ToArray());

        client.Abort();

        await Assert.ThrowsAsync<IOException>(() => backend.ReadToEndAsync().WaitAsync(Bound));
        Assert.True((await pump.WaitAsync(Bound)).WasReset);
    }

    [Fact(Timeout = 30_000)]
    public async Task RunAsync_BackendResets_ClientIsReset()
    {
        var (client, backend, pump) = Start();

        backend.Abort();

        await Assert.ThrowsAsync<IOException>(() => client.ReadToEndAsync().WaitAsync(Bound));
        Assert.Equal(PumpOutcome.Reset, (await pump.WaitAsync(Bound)).Downstream);
    }

    [Fact(Timeout = 30_000)]
    public async Task RunAsync_Data_TouchesTheActivityClock()
    {
        var (clientNear, client) = PipeEnd.CreatePair();
        var (backendNear, backend) = PipeEnd.CreatePair();
        var clock = new ActivityClock();
        var before = clock.LastMs;
        var pump = TcpPump.RunAsync(clientNear, backendNear, clock);
        await Task.Delay(30);

        Assert.True(clock.IsIdle(Environment.TickCount64, 20));
        await client.SendAsync("x"u8.ToArray());
        await backend.ReceiveAsync(new byte[1]).AsTask().WaitAsync(Bound);

        Assert.True(clock.LastMs > before);
        Assert.False(clock.IsIdle(Environment.TickCount64, 10_000));
        client.ShutdownSend();
        backend.ShutdownSend();
        await pump.WaitAsync(Bound);
    }

    [Fact]
    public void CopyAsync_ManyReads_AllocatesNothingPerRead()
    {
        static long AllocatedFor(int chunks)
        {
            var source = new SyncSource(chunks, 1000);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var copy = TcpPump.CopyAsync(source, new SyncSink(), new ActivityClock());
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(copy.IsCompletedSuccessfully, "synchronous ends must let the copy finish synchronously");
            Assert.Equal((PumpOutcome.Finished, chunks * 1000L), copy.Result);
            return allocated;
        }

        AllocatedFor(10); // JIT and the pool's first buffer
        var few = AllocatedFor(100);
        var many = AllocatedFor(20_000);

        Assert.True(many - few < 512, $"20,000 reads allocated {many} bytes, 100 reads {few}: the copy path allocates per read");
    }

    /// <summary>Completes every receive at once: <c>chunks</c> reads of <c>size</c> bytes, then the FIN.</summary>
    private sealed class SyncSource(int chunks, int size) : ITcpEnd
    {
        private int _left = chunks;

        public ValueTask<int> ReceiveAsync(Memory<byte> buffer)
        {
            if (buffer.IsEmpty)
            {
                return new(0);
            }

            return new(_left-- > 0 ? Math.Min(size, buffer.Length) : 0);
        }

        public ValueTask<int> SendAsync(ReadOnlyMemory<byte> data) => new(data.Length);

        public void ShutdownSend()
        {
        }

        public void Abort()
        {
        }

        public void Shutdown()
        {
        }

        public void Dispose()
        {
        }
    }

    private sealed class SyncSink : ITcpEnd
    {
        public ValueTask<int> ReceiveAsync(Memory<byte> buffer) => new(0);

        public ValueTask<int> SendAsync(ReadOnlyMemory<byte> data) => new(data.Length);

        public void ShutdownSend()
        {
        }

        public void Abort()
        {
        }

        public void Shutdown()
        {
        }

        public void Dispose()
        {
        }
    }
}
