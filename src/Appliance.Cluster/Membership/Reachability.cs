using System.Collections.Immutable;

namespace Appliance.Cluster.Membership;

/// <summary>One observer's opinion of one subject.</summary>
public sealed record ReachabilityRecord(ulong Observer, ulong Subject, bool Reachable, long Version);

/// <summary>
/// Who cannot reach whom, as in Akka: each observer owns its rows and versions them, so merging
/// two tables keeps, per observer, the newer set of rows. A subject is unreachable when any
/// observer says so. Immutable.
/// </summary>
public sealed class Reachability
{
    public static readonly Reachability Empty = new(ImmutableList<ReachabilityRecord>.Empty, ImmutableDictionary<ulong, long>.Empty);

    public Reachability(ImmutableList<ReachabilityRecord> records, ImmutableDictionary<ulong, long> observerVersions)
    {
        Records = records;
        ObserverVersions = observerVersions;
    }

    public ImmutableList<ReachabilityRecord> Records { get; }

    public ImmutableDictionary<ulong, long> ObserverVersions { get; }

    public Reachability Unreachable(ulong observer, ulong subject) => Change(observer, subject, reachable: false);

    public Reachability Reachable(ulong observer, ulong subject) => Change(observer, subject, reachable: true);

    public bool IsReachable(ulong subject) => !Records.Any(r => r.Subject == subject && !r.Reachable);

    public bool IsReachable(ulong observer, ulong subject) =>
        !Records.Any(r => r.Observer == observer && r.Subject == subject && !r.Reachable);

    public IEnumerable<ulong> UnreachableSubjects => Records.Where(r => !r.Reachable).Select(r => r.Subject).Distinct();

    /// <summary>Observers of <paramref name="subject"/> that find it unreachable.</summary>
    public IEnumerable<ulong> ObserversOf(ulong subject) => Records.Where(r => r.Subject == subject && !r.Reachable).Select(r => r.Observer);

    /// <summary>Per observer, keeps the rows of whichever side has the newer version; only allowed nodes survive.</summary>
    public Reachability Merge(ISet<ulong> allowed, Reachability other)
    {
        var records = ImmutableList.CreateBuilder<ReachabilityRecord>();
        var versions = ImmutableDictionary.CreateBuilder<ulong, long>();
        foreach (var observer in ObserverVersions.Keys.Union(other.ObserverVersions.Keys))
        {
            if (!allowed.Contains(observer))
            {
                continue;
            }

            var mine = ObserverVersions.GetValueOrDefault(observer, -1);
            var theirs = other.ObserverVersions.GetValueOrDefault(observer, -1);
            var source = mine >= theirs ? this : other;
            versions[observer] = Math.Max(mine, theirs);
            records.AddRange(source.Records.Where(r => r.Observer == observer && allowed.Contains(r.Subject)));
        }

        return new Reachability(records.ToImmutable(), versions.ToImmutable());
    }

    /// <summary>Forgets everything said by or about these nodes (they were removed).</summary>
    public Reachability Remove(IReadOnlyCollection<ulong> nodes) => new(
        Records.RemoveAll(r => nodes.Contains(r.Observer) || nodes.Contains(r.Subject)),
        ObserverVersions.RemoveRange(nodes));

    private Reachability Change(ulong observer, ulong subject, bool reachable)
    {
        var existing = Records.FirstOrDefault(r => r.Observer == observer && r.Subject == subject);
        if ((existing is null && reachable) || existing?.Reachable == reachable)
        {
            return this;
        }

        var version = ObserverVersions.GetValueOrDefault(observer) + 1;
        var records = existing is null ? Records : Records.Remove(existing);
        if (!reachable)
        {
            records = records.Add(new ReachabilityRecord(observer, subject, false, version));
        }

        return new Reachability(records, ObserverVersions.SetItem(observer, version));
    }
}
