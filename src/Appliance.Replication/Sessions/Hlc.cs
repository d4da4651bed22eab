namespace Appliance.Replication.Sessions;

/// <summary>
/// A hybrid logical clock timestamp (Kulkarni et al.): the largest wall time in ms seen so far, a
/// logical counter that orders events within the same ms, and the writer's uid to break ties, so
/// two writes never compare equal unless they are the same write. It follows causality even when
/// wall clocks drift: a node that has seen a timestamp always issues larger ones.
/// </summary>
internal readonly record struct Hlc(long WallMs, int Logical, ulong Node) : IComparable<Hlc>
{
    public static readonly Hlc Zero = new(0, 0, 0);

    public static bool operator <(Hlc left, Hlc right) => left.CompareTo(right) < 0;

    public static bool operator >(Hlc left, Hlc right) => left.CompareTo(right) > 0;

    public static bool operator <=(Hlc left, Hlc right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Hlc left, Hlc right) => left.CompareTo(right) >= 0;

    /// <summary>The timestamp for a local event at wall time <paramref name="nowMs"/>, after <paramref name="last"/>.</summary>
    public static Hlc Tick(Hlc last, long nowMs, ulong node) =>
        nowMs > last.WallMs
            ? new Hlc(nowMs, 0, node)
            : new Hlc(last.WallMs, checked(last.Logical + 1), node);

    /// <summary>The clock after receiving <paramref name="remote"/>: larger than both it and <paramref name="last"/>.</summary>
    public static Hlc Receive(Hlc last, Hlc remote, long nowMs, ulong node)
    {
        var wall = Math.Max(nowMs, Math.Max(last.WallMs, remote.WallMs));
        int logical;
        if (wall == last.WallMs && wall == remote.WallMs)
        {
            logical = Math.Max(last.Logical, remote.Logical) + 1;
        }
        else if (wall == last.WallMs)
        {
            logical = last.Logical + 1;
        }
        else if (wall == remote.WallMs)
        {
            logical = remote.Logical + 1;
        }
        else
        {
            logical = 0;
        }

        return new Hlc(wall, logical, node);
    }

    public int CompareTo(Hlc other)
    {
        var byWall = WallMs.CompareTo(other.WallMs);
        if (byWall != 0)
        {
            return byWall;
        }

        var byLogical = Logical.CompareTo(other.Logical);
        return byLogical != 0 ? byLogical : Node.CompareTo(other.Node);
    }

    public override string ToString() => $"{WallMs}.{Logical}@{Node:x}";
}
