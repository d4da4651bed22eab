using System.Collections.Concurrent;
using Appliance.Vip.Ownership;

namespace Appliance.Vip;

/// <summary>
/// Runs the ownership machine and turns its actions into driver calls and announcement bursts.
/// Single-threaded (one tick at a time); readers take <see cref="Current"/>, swapped whole.
/// </summary>
internal sealed class VipController
{
    private readonly IReadOnlyList<VipDefinition> _vips;
    private readonly Dictionary<string, VipDefinition> _byName;
    private readonly IReadOnlyDictionary<string, AnnounceSchedule> _schedules;
    private readonly IVipDriver _driver;
    private readonly string _self;
    private readonly Dictionary<string, long> _transitions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _sent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _addPending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string?> _moves = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, VipSlot> _slots = new Dictionary<string, VipSlot>();
    private volatile IReadOnlyList<VipStatus> _current = [];
    private volatile IReadOnlyList<VipMember> _members = [];
    private volatile bool _leaving;

    public VipController(IReadOnlyList<VipDefinition> vips, IReadOnlyDictionary<string, AnnounceSettings> announce, IVipDriver driver, string self)
    {
        _vips = vips;
        _byName = vips.ToDictionary(v => v.Name, StringComparer.Ordinal);
        _schedules = vips.ToDictionary(v => v.Name, v => new AnnounceSchedule(announce.TryGetValue(v.Name, out var a) ? a : AnnounceSettings.Default), StringComparer.Ordinal);
        _driver = driver;
        _self = self;
    }

    /// <summary>The VIPs as of the last tick.</summary>
    public IReadOnlyList<VipStatus> Current => _current;

    /// <summary>The VIPs this node holds now (what it claims to its peers).</summary>
    public IReadOnlySet<string> Claims => _slots.Where(s => s.Value.Role == VipRole.Master).Select(s => s.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>True while this node still holds a VIP that it decided another node now owns (waiting for its claim).</summary>
    public bool HandingOver => _slots.Values.Any(s => s.HandingOver);

    /// <summary>The VIP names, in order.</summary>
    public IEnumerable<string> Names => _vips.Select(v => v.Name);

    /// <summary>This node as a member of the next tick: its penalties, claims, and what it releases.</summary>
    public VipMember SelfMember(IReadOnlyDictionary<string, int> penalties) =>
        new(_self, penalties, _leaving, Claims, _moves.IsEmpty ? null : new Dictionary<string, string?>(_moves, StringComparer.Ordinal));

    /// <summary>A graceful stop: every VIP ranks this node last from now on, so peers take them over at once.</summary>
    public void BeginLeaving() => _leaving = true;

    /// <summary>Whether <see cref="BeginLeaving"/> was called.</summary>
    public bool Leaving => _leaving;

    /// <summary>
    /// <c>vip move</c>: this node gives <paramref name="vip"/> up to <paramref name="to"/> (null: the
    /// best-ranked other node) and keeps ranking last for it until it holds it again. Returns null
    /// when accepted, else why not (in words for the operator).
    /// </summary>
    public string? Move(string vip, string? to)
    {
        if (Find(vip) is not { } def)
        {
            return $"'{vip}' is not a VIP here: name one of {string.Join(", ", _vips.Select(v => v.Address))}.";
        }

        var slot = _slots.TryGetValue(def.Name, out var s) ? s : VipSlot.Initial;
        if (slot.Role != VipRole.Master)
        {
            return slot.Owner is { } owner
                ? $"{def.Address} is held by {owner}, not by {_self}: run the move against {owner}'s admin API."
                : $"{def.Address} is held by nobody: there is nothing to move.";
        }

        var members = _members;
        var others = members.Where(m => m.Name != _self && def.PriorityOf(m.Name) - m.PenaltyOn(def.Name) > 0).Select(m => m.Name).ToList();
        if (to is not null && to == _self)
        {
            return $"{def.Address} is already held by {_self}.";
        }

        if (to is not null && !others.Contains(to, StringComparer.Ordinal))
        {
            return def.PriorityOf(to) == 0
                ? $"{to} may not hold {def.Address} (it has no priority for it): name one of {string.Join(", ", def.Priorities.Keys.Where(k => k != _self))}."
                : $"{to} cannot take {def.Address} now (it is not a reachable Up member, or its tracking put it in fault).";
        }

        if (others.Count == 0)
        {
            return $"no other node can take {def.Address} now (none is a reachable Up member with a priority above 0).";
        }

        _moves[def.Name] = to;
        return null;
    }

    /// <summary>One tick; returns the transitions and failures to log, as text.</summary>
    /// <param name="decide">False holds every decision (a member was just seen and has not told its stand yet).</param>
    public List<string> Tick(IReadOnlyList<VipMember> members, DateTimeOffset now, bool decide = true)
    {
        var log = new List<string>();
        _members = members;
        if (decide)
        {
            var (slots, actions) = VipOwnershipMachine.Step(_vips, _slots, new VipInput(_self, members, now));

            // Holding a VIP again ends an earlier move away from this node. Ended before the new
            // claims are visible to the advert sender (another thread): an advert that says "holds
            // it, hands it to X" from a stale move made a peer take the VIP on a move to this node
            // (found by the kill -9 fault test).
            foreach (var action in actions.Where(a => a.Kind == VipActionKind.AddAddress))
            {
                _moves.TryRemove(action.Vip, out _);
            }

            _slots = slots;
            foreach (var action in actions)
            {
                Apply(action, now, log);
            }
        }

        foreach (var name in _addPending.ToList())
        {
            Record(name, _driver.Add(_byName[name]), log);
        }

        foreach (var (name, schedule) in _schedules)
        {
            foreach (var _ in schedule.Due(now))
            {
                // Never while handing it over (vip move, or holding it for a new owner until it
                // claims it): the new owner announces, and a late burst of ours (ticks run late on
                // a loaded machine) would pull the neighbours back just before we let go.
                if (_slots.TryGetValue(name, out var slot) && slot is { Role: VipRole.Master, HandingOver: false })
                {
                    var (sent, error) = _driver.Announce(_byName[name]);
                    _sent[name] = _sent.GetValueOrDefault(name) + sent;
                    if (error is not null && _errors.GetValueOrDefault(name) != error)
                    {
                        // Logged once per distinct failure; the address stays (it still serves
                        // clients whose caches already point here).
                        _errors[name] = error;
                        log.Add($"VIP {_byName[name].Address}: {error}");
                    }
                }
            }
        }

        Publish(members);
        return log;
    }

    /// <summary>Takes every held address off (a graceful stop: the peers take over at once).</summary>
    public void ReleaseAll()
    {
        foreach (var (name, slot) in _slots)
        {
            if (slot.Role == VipRole.Master)
            {
                _driver.Remove(_byName[name]);
            }
        }
    }

    private void Apply(VipAction action, DateTimeOffset now, List<string> log)
    {
        var vip = _byName[action.Vip];
        switch (action.Kind)
        {
            case VipActionKind.AddAddress:
                _transitions[vip.Name] = _transitions.GetValueOrDefault(vip.Name) + 1;
                log.Add($"VIP {vip.Address}: master ({action.Reason})");
                _addPending.Add(vip.Name);
                Record(vip.Name, _driver.Add(vip), log);
                break;
            case VipActionKind.RemoveAddress:
                _transitions[vip.Name] = _transitions.GetValueOrDefault(vip.Name) + 1;
                log.Add($"VIP {vip.Address}: backup ({action.Reason})");
                _addPending.Remove(vip.Name);
                _schedules[vip.Name].Cancel(vip.Name);
                if (_driver.Remove(vip) is { } error)
                {
                    _errors[vip.Name] = error;
                    log.Add(error);
                }

                break;
            case VipActionKind.Announce:
                if (action.Reason.StartsWith("re-announce", StringComparison.Ordinal))
                {
                    log.Add($"VIP {vip.Address}: {action.Reason}");
                }

                _schedules[vip.Name].Start(vip.Name, vip.Interface, now);
                break;
            default:
                throw new InvalidOperationException($"unknown action {action.Kind}");
        }
    }

    private VipDefinition? Find(string vip) =>
        _byName.TryGetValue(vip, out var def) ? def
            : _vips.FirstOrDefault(v => v.Address.StartsWith(vip + "/", StringComparison.OrdinalIgnoreCase));

    private void Record(string name, string? error, List<string> log)
    {
        if (error is null)
        {
            _addPending.Remove(name);
            _errors.Remove(name);
        }
        else if (_errors.GetValueOrDefault(name) != error)
        {
            _errors[name] = error;
            log.Add(error);
        }
    }

    private void Publish(IReadOnlyList<VipMember> members)
    {
        var selfMember = members.FirstOrDefault(m => m.Name == _self);
        _current = _vips.Select(v =>
        {
            var slot = _slots.TryGetValue(v.Name, out var s) ? s : VipSlot.Initial;
            var priorities = v.Priorities.ToDictionary(
                p => p.Key,
                p => p.Key == _self && selfMember is not null ? Math.Max(0, p.Value - selfMember.PenaltyOn(v.Name)) : p.Value,
                StringComparer.Ordinal);
            return new VipStatus(v.Address, v.Interface, slot.Owner, slot.Role, priorities,
                slot.LastTransition == DateTimeOffset.MinValue ? null : slot.LastTransition, slot.Reason,
                _transitions.GetValueOrDefault(v.Name), _sent.GetValueOrDefault(v.Name), _errors.GetValueOrDefault(v.Name));
        }).ToList();
    }
}
