using Appliance.Cluster.Replication;
using Appliance.Cluster.Replication.Crdt;
using Appliance.Cluster.Replication.Messages;

namespace Appliance.Tests.Wire;

/// <summary>Valid replicated-state messages drawn from a seeded <see cref="Random"/>.</summary>
internal static class ReplicaSamples
{
    public static ReplicaData Data(Random r)
    {
        var slices = Enumerable.Range(0, r.Next(0, 4))
            .Select(_ => r.Next(0, 4096))
            .Distinct()
            .Select(shard => new ShardSlice(shard, Sessions(r)))
            .ToList();
        return new ReplicaData(WireSamples.Id(r), (ReplicaDataKind)r.Next(1, 5), slices, r.Next(3) == 0 ? null : Gauges(r));
    }

    public static LwwMap<SessionValue> Sessions(Random r)
    {
        var map = LwwMap<SessionValue>.Empty;
        for (var i = r.Next(0, 6); i > 0; i--)
        {
            var key = WireSamples.Text(r, allowEmpty: false, 512);
            var timestamp = new Hlc(WireSamples.Counter(r), r.Next(0, 3) == 0 ? int.MaxValue : r.Next(0, 100), WireSamples.Uid(r));
            map = r.Next(4) == 0
                ? map.Remove(key, timestamp).State
                : map.Put(key, new SessionValue(WireSamples.Text(r, allowEmpty: false, 512), r.NextInt64(0, 1L << 50), r.NextInt64(0, 1L << 30)), timestamp).State;
        }

        return map;
    }

    public static GaugeMap Gauges(Random r)
    {
        var map = GaugeMap.Empty;
        for (var i = r.Next(0, 8); i > 0; i--)
        {
            map = r.Next(5) == 0
                ? map.DropNode(WireSamples.Uid(r)).State
                : map.Set(WireSamples.Uid(r), WireSamples.Text(r, allowEmpty: false, 40), r.NextInt64(-5, 1_000)).State;
        }

        return map;
    }
}
