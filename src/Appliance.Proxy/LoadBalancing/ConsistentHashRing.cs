namespace Appliance.Proxy.LoadBalancing;

/// <summary>
/// Consistent hashing on a ring of virtual points (PointsPerWeight per unit of configured weight).
/// A backend's points depend only on its own id and weight, so removing one of N backends moves
/// only the keys it owned, about 1/N of them. Rings are cached by candidate set (a few at once:
/// backends at their request limit or already tried leave the set briefly, and flapping between
/// two sets must not rebuild a ring per request); requests without a key fall back to weighted random.
/// </summary>
internal sealed class ConsistentHashRing(Random? random = null) : IBalancingAlgorithm
{
    internal const int PointsPerWeight = 100;
    private const int CachedRings = 8;

    private readonly Random _random = random ?? Random.Shared;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, Ring> _rings = new();

    public int Pick(ReadOnlySpan<BalancingCandidate> candidates, in PickContext context)
    {
        if (!context.HasKey || candidates.Length == 1)
        {
            return WeightedRandom.PickOne(candidates, _random);
        }

        var signature = Signature(candidates);
        if (!_rings.TryGetValue(signature, out var ring))
        {
            if (_rings.Count >= CachedRings)
            {
                _rings.Clear(); // sets changed for good (reload, new backends): start over
            }

            ring = Ring.Build(candidates, signature);
            _rings[signature] = ring; // racing builders produce equal rings; last write wins harmlessly
        }

        var owner = ring.Owner(context.Hash);
        for (var i = 0; i < candidates.Length; i++)
        {
            if (candidates[i].Id == owner)
            {
                return i;
            }
        }

        return WeightedRandom.PickOne(candidates, _random); // unreachable while the signature matches
    }

    private static ulong Signature(ReadOnlySpan<BalancingCandidate> candidates)
    {
        // Order-independent: the same set in another order is the same ring.
        ulong sum = 0, xor = 0;
        foreach (ref readonly var c in candidates)
        {
            var h = StableHash.Of(c.Id) ^ ((ulong)Math.Max(1, c.ConfiguredWeight) * 0x9E3779B97F4A7C15UL);
            sum += h;
            xor ^= StableHash.Finalise(h);
        }

        return sum ^ (xor << 1) ^ (ulong)candidates.Length;
    }

    private sealed class Ring(ulong signature, ulong[] points, string[] owners)
    {
        public ulong Signature { get; } = signature;

        public static Ring Build(ReadOnlySpan<BalancingCandidate> candidates, ulong signature)
        {
            var count = 0;
            foreach (ref readonly var c in candidates)
            {
                count += Math.Max(1, c.ConfiguredWeight) * PointsPerWeight;
            }

            var points = new ulong[count];
            var owners = new string[count];
            var n = 0;
            foreach (ref readonly var c in candidates)
            {
                var seed = StableHash.Of(c.Id);
                var copies = Math.Max(1, c.ConfiguredWeight) * PointsPerWeight;
                for (var v = 0; v < copies; v++)
                {
                    points[n] = StableHash.Finalise(seed + ((ulong)v * 0x9E3779B97F4A7C15UL));
                    owners[n] = c.Id;
                    n++;
                }
            }

            Array.Sort(points, owners);
            return new Ring(signature, points, owners);
        }

        public string Owner(ulong hash)
        {
            var i = Array.BinarySearch(points, hash);
            if (i < 0)
            {
                i = ~i;
            }

            return owners[i == points.Length ? 0 : i];
        }
    }
}
