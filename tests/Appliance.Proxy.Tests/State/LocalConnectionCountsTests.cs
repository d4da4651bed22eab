using Appliance.Core.State;

namespace Appliance.Tests.State;

public sealed class LocalConnectionCountsTests
{
    [Fact]
    public void Get_UnknownKey_Zero() =>
        Assert.Equal(0, new LocalConnectionCounts().Get("web/b1"));

    [Fact]
    public void Add_StartAndEnd_GaugeReturnsToZero()
    {
        var counts = new LocalConnectionCounts();

        counts.Add("web/b1", +1);
        counts.Add("web/b1", +1);
        counts.Add("web/b2", +1);
        counts.Add("web/b1", -1);

        Assert.Equal(1, counts.Get("web/b1"));
        Assert.Equal(1, counts.GetLocal("web/b2"));
    }

    [Fact]
    public void Add_ConcurrentFromSeveralThreads_SumsExactly()
    {
        const int threads = 4;
        const int perThread = 100_000;
        var counts = new LocalConnectionCounts();
        using var start = new Barrier(threads);

        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var n = 0; n < perThread; n++)
            {
                counts.Add("web/b1", +1);
                counts.Add("tcp/pool/b" + (n % 3), +1); // first touches of a key race on its creation
                if (n % 2 == 0)
                {
                    counts.Add("web/b1", -1);
                }
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Equal(threads * perThread / 2, counts.Get("web/b1"));
        Assert.Equal(threads * perThread, Enumerable.Range(0, 3).Sum(i => counts.Get("tcp/pool/b" + i)));
    }
}
