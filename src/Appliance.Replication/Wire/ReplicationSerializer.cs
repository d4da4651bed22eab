using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Serialization;

namespace Appliance.Replication.Wire;

/// <summary>
/// Akka's serializer for <see cref="IReplicationMessage"/> (protobuf). A payload that does not
/// decode or breaks a bound becomes a <see cref="RejectedMessage"/> that the receiving actor counts
/// and drops (a gauge value decodes to <see cref="NodeGauges.Empty"/> instead, since DData expects
/// that type): nothing is thrown at Akka.Remote, so no peer can end an association or the node.
/// </summary>
public sealed class ReplicationSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Our serializer id; Akka's own are below 100.</summary>
    public const int Id = 7215;

    private static long _rejected;
    private static long _bytesSent;
    private static long _bytesReceived;

    public override int Identifier => Id;

    /// <summary>Payloads refused in this process (all systems), for tests and metrics.</summary>
    public static long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>
    /// Payload bytes this process serialized and deserialized (all systems): the replication
    /// traffic without Akka.Remote's envelope and framing, which Akka does not count per serializer.
    /// Counted here because the old transport's per-frame counters went with it.
    /// </summary>
    public static long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <inheritdoc cref="BytesSent"/>
    public static long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>What a participant merges into each ActorSystem's settings: the serializer and its binding.</summary>
    public static Config Settings { get; } = ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers.appliance-replication = "{{typeof(ReplicationSerializer).AssemblyQualifiedName}}"
          serialization-bindings {
            "{{typeof(IReplicationMessage).FullName}}, {{typeof(IReplicationMessage).Assembly.GetName().Name}}" = appliance-replication
          }
          serialization-identifiers {
            "{{typeof(ReplicationSerializer).FullName}}, {{typeof(ReplicationSerializer).Assembly.GetName().Name}}" = {{Id}}
          }
        }
        """);

    public override string Manifest(object o) => ReplicationCodec.ManifestOf(o);

    public override byte[] ToBinary(object obj)
    {
        var bytes = ReplicationCodec.Encode(obj);
        Interlocked.Add(ref _bytesSent, bytes.Length);
        return bytes;
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        Interlocked.Add(ref _bytesReceived, bytes.Length);
        if (ReplicationCodec.Decode(bytes, manifest, out var problem) is { } message)
        {
            return message;
        }

        Interlocked.Increment(ref _rejected);
        system.Log.Warning("Replication payload dropped ({0}): {1}", manifest == ReplicationCodec.GaugesManifest ? "gauges" : "sessions", problem);
        return manifest == ReplicationCodec.GaugesManifest ? NodeGauges.Empty : new RejectedMessage(manifest, problem ?? "invalid");
    }
}
