using Appliance.Cluster.Transport;

namespace Appliance.Tests.Transport;

public sealed class ReplayWindowTests
{
    [Fact]
    public void TryAdvance_StrictlyIncreasing_AcceptedEqualOrLowerRefused()
    {
        var window = new ReplayWindow();

        Assert.True(window.TryAdvance(1, 1));
        Assert.True(window.TryAdvance(1, 5));
        Assert.False(window.TryAdvance(1, 5));
        Assert.False(window.TryAdvance(1, 4));
        Assert.Equal(5UL, window.Highest(1));
    }

    [Fact]
    public void TryAdvance_SendersAreIndependent()
    {
        var window = new ReplayWindow();

        Assert.True(window.TryAdvance(1, 10));
        Assert.True(window.TryAdvance(2, 3));
        Assert.True(window.IsFresh(2, 4));
        Assert.False(window.IsFresh(1, 9));
    }

    [Fact]
    public void TryAdvance_BeyondCapacity_ForgetsLeastRecentlyHeardSender()
    {
        var window = new ReplayWindow(capacity: 3);
        window.TryAdvance(1, 10);
        window.TryAdvance(2, 10);
        window.TryAdvance(3, 10);
        window.TryAdvance(1, 11); // 1 is now the most recent; 2 the least

        window.TryAdvance(4, 10);

        Assert.Equal(3, window.Count);
        Assert.Equal(0UL, window.Highest(2));
        Assert.Equal(11UL, window.Highest(1));
        Assert.Equal(10UL, window.Highest(3));
    }

    [Fact]
    public async Task TryAdvance_ConcurrentSameSequence_ExactlyOneWins()
    {
        var window = new ReplayWindow();
        var wins = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (ulong s = 1; s <= 2000; s++)
            {
                if (window.TryAdvance(7, s))
                {
                    Interlocked.Increment(ref wins);
                }
            }
        })));

        Assert.True(wins <= 2000, $"{wins} acceptances for 2000 sequence numbers");
        Assert.Equal(2000UL, window.Highest(7));
    }
}
