using Appliance.Management.Contracts;
using Appliance.Management.Sources;
using Appliance.Management.Traffic;

namespace Appliance.Management.Api;

/// <summary>Turns the node's snapshots into API answers, adding the rates management computes.</summary>
internal static class BackendViews
{
    public static ClusterInfo Cluster(ClusterSnapshot c, TrafficHistory history) =>
        new(c.Id, c.Policy, new QueueInfo(c.QueueWaiting, c.QueueMaxLength, c.QueueRejected, c.QueueTimedOut),
            c.Backends.Select(b => Backend(b, history)).ToList());

    public static BackendInfo Backend(BackendSnapshot b, TrafficHistory history)
    {
        var (requests, errors) = history.RatesOf(b.Key);
        return new BackendInfo(
            b.Cluster, b.Id, b.Address,
            new BackendHealthInfo(b.ActiveHealth, b.PassiveHealth, b.Available),
            b.AdminState, b.Weight, b.ConfiguredWeight,
            new InFlightInfo(b.InFlightLocal, b.InFlightCluster),
            Math.Round(requests, 2), Math.Round(errors, 2), b.Requests, b.Errors);
    }
}
