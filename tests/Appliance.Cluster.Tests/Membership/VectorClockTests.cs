using Appliance.Cluster.Membership;

namespace Appliance.Tests.Membership;

public sealed class VectorClockTests
{
    [Fact]
    public void CompareTo_OrdersSameBeforeAfterConcurrent()
    {
        var a = VectorClock.Empty.Increment(1);
        var b = a.Increment(2);
        var c = a.Increment(3);

        Assert.Equal(VersionOrder.Same, a.CompareTo(VectorClock.Empty.Increment(1)));
        Assert.Equal(VersionOrder.Before, a.CompareTo(b));
        Assert.Equal(VersionOrder.After, b.CompareTo(a));
        Assert.Equal(VersionOrder.Concurrent, b.CompareTo(c));
    }

    [Fact]
    public void Merge_TakesTheMaximum_AndDominatesBoth()
    {
        var b = VectorClock.Empty.Increment(1).Increment(2).Increment(2);
        var c = VectorClock.Empty.Increment(1).Increment(1).Increment(3);

        var merged = b.Merge(c);

        Assert.Equal(2, merged.Versions[1]);
        Assert.Equal(2, merged.Versions[2]);
        Assert.Equal(1, merged.Versions[3]);
        Assert.Equal(VersionOrder.After, merged.CompareTo(b));
        Assert.Equal(VersionOrder.After, merged.CompareTo(c));
    }

    [Fact]
    public void Merge_IsCommutativeAssociativeIdempotent()
    {
        var random = new Random(5);
        VectorClock Random()
        {
            var v = VectorClock.Empty;
            for (var i = 0; i < random.Next(1, 8); i++)
            {
                v = v.Increment((ulong)random.Next(1, 5));
            }

            return v;
        }

        for (var i = 0; i < 500; i++)
        {
            var (x, y, z) = (Random(), Random(), Random());
            Assert.Equal(VersionOrder.Same, x.Merge(y).CompareTo(y.Merge(x)));
            Assert.Equal(VersionOrder.Same, x.Merge(y).Merge(z).CompareTo(x.Merge(y.Merge(z))));
            Assert.Equal(VersionOrder.Same, x.Merge(x).CompareTo(x));
        }
    }

    [Fact]
    public void Prune_RemovesAnEntry()
    {
        var v = VectorClock.Empty.Increment(1).Increment(2);
        Assert.False(v.Prune(2).Versions.ContainsKey(2));
    }
}
