using Appliance.Replication.Sessions;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace Appliance.Replication.Tests.Sessions;

/// <summary>
/// The join-semilattice and delta laws every CRDT here must satisfy, checked with FsCheck from a
/// fixed seed (replayable). A generator turns a Random into a history of operations: each
/// operation returns the full state and its delta, recorded so the delta laws can be checked.
/// </summary>
internal static class CrdtLaws
{
    private static readonly Config Deterministic = Config.QuickThrowOnFailure
        .WithMaxTest(200)
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(0x5EED_0005UL, 0x9E37_79B9_7F4A_7C15UL), FSharpOption<int>.None)));

    private static Arbitrary<int> Seeds => Gen.Choose(0, int.MaxValue).ToArbitrary();

    /// <summary><paramref name="property"/> holds for 200 seeds drawn from the fixed replay seed.</summary>
    public static void ForAllSeeds(Func<int, bool> property) => Check.One(Deterministic, Prop.ForAll(Seeds, property));

    /// <summary>Merge is commutative, associative and idempotent on states built by <paramref name="history"/>.</summary>
    public static void MergeIsJoin<T>(Func<Random, History<T>> history)
        where T : class, IDeltaCrdt<T>
    {
        Check.One(Deterministic, Prop.ForAll(Seeds, seed =>
        {
            var random = new Random(seed);
            var (x, y, z) = (history(random).State, history(random).State, history(random).State);
            return x.Merge(y).Equals(y.Merge(x))
                && x.Merge(y).Merge(z).Equals(x.Merge(y.Merge(z)))
                && x.Merge(x).Equals(x)
                && x.Merge(y).Merge(y).Equals(x.Merge(y));
        }));
    }

    /// <summary>
    /// Each delta joined onto the state before it gives the state after it, and the deltas alone,
    /// shuffled and duplicated, rebuild the final state from empty.
    /// </summary>
    public static void DeltasRebuildState<T>(Func<Random, History<T>> history)
        where T : class, IDeltaCrdt<T>
    {
        Check.One(Deterministic, Prop.ForAll(Seeds, seed =>
        {
            var random = new Random(seed);
            var run = history(random);
            var stepwise = run.Steps.All(s => s.Before.Merge(s.Delta).Equals(s.After));

            var scrambled = run.Steps.Select(s => s.Delta)
                .Concat(run.Steps.Where(_ => random.Next(3) == 0).Select(s => s.Delta))
                .OrderBy(_ => random.Next())
                .Aggregate(run.Empty, (state, delta) => state.Merge(delta));

            return stepwise && scrambled.Equals(run.State);
        }));
    }
}

/// <summary>One mutation: the states around it and the delta it produced.</summary>
internal sealed record Step<T>(T Before, T After, T Delta);

/// <summary>A replica's history of mutations from <see cref="Empty"/> to <see cref="State"/>.</summary>
internal sealed class History<T>(T empty)
    where T : class, IDeltaCrdt<T>
{
    private readonly List<Step<T>> _steps = [];

    public T Empty { get; } = empty;

    public T State { get; private set; } = empty;

    public IReadOnlyList<Step<T>> Steps => _steps;

    public History<T> Do(Func<T, (T State, T Delta)> mutate)
    {
        var (after, delta) = mutate(State);
        _steps.Add(new Step<T>(State, after, delta));
        State = after;
        return this;
    }
}
