using Appliance.Core.Configuration;
using Appliance.Proxy.Model;

namespace Appliance.Tests.Model;

public sealed class BackendRuntimeTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan SlowStart = TimeSpan.FromSeconds(10);

    private static BackendRuntime Backend(DestinationMetadata metadata) => new("web", "b1", metadata);

    [Fact]
    public void Key_ClusterAndDestination_JoinedWithSlash() =>
        Assert.Equal("web/b1", Backend(DestinationMetadata.Default).Key);

    [Fact]
    public void TryAcquire_MaxRequestsTwo_ThirdRefusedUntilRelease()
    {
        var backend = Backend(new DestinationMetadata { MaxRequests = 2 });

        Assert.True(backend.TryAcquire());
        Assert.True(backend.TryAcquire());
        Assert.False(backend.TryAcquire());
        Assert.False(backend.HasFreeSlot);
        Assert.Equal(2, backend.InFlight);

        backend.Release();

        Assert.True(backend.HasFreeSlot);
        Assert.True(backend.TryAcquire());
        Assert.False(backend.TryAcquire());
    }

    [Fact]
    public void TryAcquire_NoLimit_AlwaysGrantsAndCounts()
    {
        var backend = Backend(DestinationMetadata.Default);

        Assert.All(Enumerable.Range(0, 1000), _ => Assert.True(backend.TryAcquire()));
        Assert.Equal(1000, backend.InFlight);
        Assert.True(backend.HasFreeSlot);
    }

    [Fact]
    public async Task TryAcquire_ConcurrentCallers_NeverExceedMaxRequests()
    {
        var backend = Backend(new DestinationMetadata { MaxRequests = 5 });
        var granted = 0;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var n = 0; n < 1000; n++)
            {
                if (backend.TryAcquire())
                {
                    Interlocked.Increment(ref granted);
                }
            }
        })));

        Assert.Equal(5, granted);
        Assert.Equal(5, backend.InFlight);
    }

    [Theory]
    [InlineData(0, 0.5)] // 5% floor of weight 10
    [InlineData(200, 0.5)] // 2% of the ramp is still below the floor
    [InlineData(2500, 2.5)]
    [InlineData(5000, 5.0)]
    [InlineData(9000, 9.0)]
    [InlineData(10_000, 10.0)]
    [InlineData(3_600_000, 10.0)]
    public void EffectiveWeight_SlowStart_RampsLinearlyFromFloor(int msSinceRecovery, double expected)
    {
        var backend = Backend(new DestinationMetadata { Weight = 10 });
        backend.MarkRecovered(T0);

        Assert.Equal(expected, backend.EffectiveWeight(T0.AddMilliseconds(msSinceRecovery), SlowStart), 9);
    }

    [Fact]
    public void EffectiveWeight_NeverRecovered_FullWeight() =>
        Assert.Equal(10, Backend(new DestinationMetadata { Weight = 10 }).EffectiveWeight(T0, SlowStart));

    [Fact]
    public void EffectiveWeight_NoSlowStart_FullWeightRightAfterRecovery()
    {
        var backend = Backend(new DestinationMetadata { Weight = 10 });
        backend.MarkRecovered(T0);

        Assert.Equal(10, backend.EffectiveWeight(T0, TimeSpan.Zero));
    }

    [Fact]
    public void EffectiveWeight_WeightZero_StaysZeroDuringRamp()
    {
        var backend = Backend(new DestinationMetadata { Weight = 0 });
        backend.MarkRecovered(T0);

        Assert.Equal(0, backend.EffectiveWeight(T0, SlowStart));
    }

    [Fact]
    public void EffectiveWeight_Overridden_RampsTheOverride()
    {
        var backend = Backend(new DestinationMetadata { Weight = 10 });
        backend.OverrideWeight(4);
        backend.MarkRecovered(T0);

        Assert.Equal(2.0, backend.EffectiveWeight(T0.AddSeconds(5), SlowStart), 9);
    }

    [Fact]
    public void OverrideWeight_ReplacesConfiguredWeight()
    {
        var backend = Backend(new DestinationMetadata { Weight = 10 });

        backend.OverrideWeight(0);

        Assert.Equal(0, backend.Weight);
    }

    [Fact]
    public void Reconfigure_SameWeightInFile_KeepsOverride()
    {
        var backend = Backend(new DestinationMetadata { Weight = 10 });
        backend.OverrideWeight(3);

        backend.Reconfigure(new DestinationMetadata { Weight = 10, MaxRequests = 50 });

        Assert.Equal(3, backend.Weight);
        Assert.Equal(50, backend.Metadata.MaxRequests);
    }

    [Fact]
    public void Reconfigure_WeightChangedInFile_FileWins()
    {
        var backend = Backend(new DestinationMetadata { Weight = 10 });
        backend.OverrideWeight(3);

        backend.Reconfigure(new DestinationMetadata { Weight = 20 });

        Assert.Equal(20, backend.Weight);
    }

    [Fact]
    public void Reconfigure_SameStateInFile_KeepsRuntimeAdminState()
    {
        var backend = Backend(new DestinationMetadata { InitialState = BackendAdminState.Ready });
        backend.AdminState = BackendAdminState.Drain;

        backend.Reconfigure(new DestinationMetadata { InitialState = BackendAdminState.Ready, Weight = 5 });

        Assert.Equal(BackendAdminState.Drain, backend.AdminState);
    }

    [Fact]
    public void Reconfigure_StateChangedInFile_FileWins()
    {
        var backend = Backend(new DestinationMetadata { InitialState = BackendAdminState.Ready });
        backend.AdminState = BackendAdminState.Drain;

        backend.Reconfigure(new DestinationMetadata { InitialState = BackendAdminState.Maint });

        Assert.Equal(BackendAdminState.Maint, backend.AdminState);
    }

    [Fact]
    public void Reconfigure_MaxRequestsRaised_KeepsInFlightAccounting()
    {
        var backend = Backend(new DestinationMetadata { MaxRequests = 2 });
        backend.TryAcquire();
        backend.TryAcquire();

        backend.Reconfigure(new DestinationMetadata { MaxRequests = 3 });

        Assert.Equal(2, backend.InFlight);
        Assert.True(backend.TryAcquire());
        Assert.False(backend.TryAcquire());
    }
}
