using System.Globalization;
using System.Text;
using Akka.Configuration;

namespace Appliance.Cluster.Settings;

/// <summary>
/// Maps <see cref="ClusterSettings"/> onto Akka's HOCON. Operators never write HOCON: the
/// <c>Cluster</c> section is the only place a setting is chosen, this is the only place it is
/// translated. Values not taken from the section are fixed here, each with the reason.
/// </summary>
public static class ClusterHocon
{
    /// <summary>How often the leader looks for unreachable members to act on; Akka's 1 s default would add up to a second to every detection.</summary>
    public static readonly TimeSpan ReaperInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>A peer that refuses connections for this long has no process behind its port: it is downed (see <c>Downing/DowningPolicy</c>).</summary>
    public static readonly TimeSpan RefusedFor = TimeSpan.FromSeconds(1);

    /// <summary>The HOCON path our downing provider reads its settings under.</summary>
    public const string DowningPath = "appliance.downing";

    public static Config Build(ClusterSettings settings)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $$"""
            akka {
              loglevel = INFO
              stdout-loglevel = ERROR
              loggers = ["Appliance.Cluster.Hosting.AkkaLogger, Appliance.Cluster"]
              logger-startup-timeout = 10s
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              actor.provider = cluster
              # The host stops the system (ClusterHost); no CLR hook may run a second shutdown,
              # and nothing in Akka may end the process: a failed incarnation is replaced.
              coordinated-shutdown.run-by-clr-shutdown-hook = off
              coordinated-shutdown.exit-clr = off
              coordinated-shutdown.terminate-actor-system = on
              remote {
                # A refused or failed dial is retried soon: the downing policy needs to see a
                # dead peer refuse, and a peer back from a restart should be reached at once.
                retry-gate-closed-for = 500ms
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  hostname = "{{settings.BindHost}}"
                  port = {{settings.BindPort}}
                  public-hostname = "{{settings.PublicHost}}"
                  public-port = {{settings.PublicPort}}
                  enable-ssl = true
                  maximum-frame-size = {{settings.MaxFrameSize}}b
                  # Batching flushes on a 40 ms timer even when idle; membership traffic is a few
                  # small messages per second, so write each at once.
                  batching.enabled = false
                }
              }
              cluster {
                roles = ["{{ClusterSettings.NodeRolePrefix}}{{Escape(settings.NodeName)}}"]
                # Our downing provider downs only peers confirmed dead (availability first: a pair
                # keeps serving on both sides of a partition).
                downing-provider-class = "Appliance.Cluster.Downing.PeerDowningProvider, Appliance.Cluster"
                # Downed: the system ends and ClusterHost starts a new incarnation in this process.
                run-coordinated-shutdown-when-down = on
                # A member that joins while another is unreachable waits for convergence (no
                # WeaklyUp members: the read model and the VIP layer know Up only).
                allow-weakly-up-members = off
                seed-node-timeout = {{Ms(settings.SeedJoinTimeout)}}
                gossip-interval = {{Ms(settings.GossipInterval)}}
                leader-actions-interval = {{Ms(settings.GossipInterval)}}
                unreachable-nodes-reaper-interval = {{Ms(ReaperInterval)}}
                log-info = off
                failure-detector {
                  heartbeat-interval = {{Ms(settings.HeartbeatInterval)}}
                  threshold = {{settings.PhiThreshold.ToString("R", inv)}}
                  acceptable-heartbeat-pause = {{Ms(settings.AcceptableHeartbeatPause)}}
                  min-std-deviation = {{Ms(settings.MinStdDeviation)}}
                  expected-response-after = {{Ms(settings.HeartbeatInterval * 5)}}
                  # Akka seeds each detector's history with a 1 s estimate, which takes hundreds
                  # of heartbeats to wash out (a kill took 1.4 s to detect); start from the interval.
                  first-heartbeat-estimate = {{Ms(settings.HeartbeatInterval)}}
                }
              }
            }
            {{DowningPath}} {
              down-after = {{Ms(settings.DownAfter)}}
              refused-for = {{Ms(RefusedFor)}}
            }
            """);
        return ConfigurationFactory.ParseString(text.ToString());
    }

    private static string Ms(TimeSpan value) => ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    // Node names are validated to a plain alphabet; this keeps a quote from breaking the HOCON anyway.
    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
