using Appliance.Cluster.Messages;
using Appliance.Cluster.Wire;
using Google.Protobuf;
using P = Appliance.Cluster.Wire.Proto;

namespace Appliance.Tests.Wire;

public sealed class VipAdvertDecoderValidationTests
{
    private static P.UniqueAddress From => new() { Address = new P.Address { Host = "10.0.0.1", Port = 7946 }, Uid = 1 };

    private static P.VipState State(string vip) => new() { Vip = vip, Held = true, Penalty = 10 };

    [Fact]
    public void TryDecode_ValidAdvert_AcceptedWithEveryField()
    {
        var released = State("198.18.1.101/24");
        released.Releasing = true;
        released.YieldTo = "lb2";

        Assert.True(WireCodec.TryDecode(Advert(State("198.18.1.100/24"), released).ToByteArray(), out var message, out var error), error);

        var advert = Assert.IsType<VipAdvert>(message);
        Assert.Equal(new VipState("198.18.1.100/24", true, 10, false, null), advert.Vips[0]);
        Assert.Equal(new VipState("198.18.1.101/24", true, 10, true, "lb2"), advert.Vips[1]);
    }

    [Fact]
    public void TryDecode_RepeatedVip_Rejected()
    {
        Assert.Equal("vip_advert.vips[1].vip repeats an earlier VIP", Decode(Advert(State("a"), State("a"))));
    }

    [Fact]
    public void TryDecode_EmptyOrLongOrControlName_Rejected()
    {
        Assert.StartsWith("vip_advert.vips[0].vip must be 1..64 characters (got 0)", Decode(Advert(State(""))), StringComparison.Ordinal);
        Assert.StartsWith("vip_advert.vips[0].vip must be 1..64 characters (got 65)", Decode(Advert(State(new string('v', 65)))), StringComparison.Ordinal);
        Assert.Equal("vip_advert.vips[0].vip contains a control character", Decode(Advert(State("a\n"))));
    }

    [Fact]
    public void TryDecode_PenaltyAboveFault_Rejected()
    {
        var state = State("a");
        state.Penalty = 1001;

        Assert.Equal("vip_advert.vips[0].penalty must be 0..1000 (got 1001)", Decode(Advert(state)));
    }

    [Fact]
    public void TryDecode_YieldWithoutRelease_Rejected()
    {
        var state = State("a");
        state.YieldTo = "lb2";

        Assert.Equal("vip_advert.vips[0].yield_to is set but the VIP is not being released", Decode(Advert(state)));
    }

    [Fact]
    public void TryDecode_NegativeSequenceOrTooManyVips_Rejected()
    {
        var negative = Advert(State("a"));
        negative.VipAdvert.Sequence = -1;
        var many = Advert([.. Enumerable.Range(0, WireLimits.MaxVips + 1).Select(i => State($"v{i}"))]);

        Assert.Equal("vip_advert.sequence must not be negative (got -1)", Decode(negative));
        Assert.Equal("vip_advert.vips has 257 entries; at most 256 are allowed", Decode(many));
    }

    [Fact]
    public void TryDecode_MissingSender_Rejected()
    {
        var envelope = Advert(State("a"));
        envelope.VipAdvert.From = null;

        Assert.Equal("vip_advert.from is missing", Decode(envelope));
    }

    private static P.Envelope Advert(params P.VipState[] states)
    {
        var advert = new P.VipAdvert { From = From, Sequence = 3 };
        advert.Vips.AddRange(states);
        return new P.Envelope { VipAdvert = advert };
    }

    private static string? Decode(P.Envelope envelope)
    {
        WireCodec.TryDecode(envelope.ToByteArray(), out _, out var error);
        return error;
    }
}
