using Akka.Actor;
using Akka.Configuration;
using Appliance.Replication.Wire;

namespace Appliance.Replication.Tests.Wire;

/// <summary>The serializer as Akka finds it through the settings a participant contributes.</summary>
public sealed class AkkaSerializerTests
{
    [Fact]
    public async Task Settings_BindOurMessagesToId7215_AndGarbageBecomesARejectedMessage()
    {
        using var system = ActorSystem.Create("serializer-test", ReplicationSerializer.Settings.WithFallback(ConfigurationFactory.ParseString("akka.loglevel = ERROR")));
        try
        {
            var serializer = system.Serialization.FindSerializerFor(new SessionAck(1));
            Assert.Equal(ReplicationSerializer.Id, serializer.Identifier);
            Assert.Same(serializer, system.Serialization.FindSerializerFor(NodeGauges.Empty));

            var before = ReplicationSerializer.Rejected;
            var rejected = system.Serialization.Deserialize([0xFF, 0xFF, 0xFF], ReplicationSerializer.Id, "D");
            Assert.IsType<RejectedMessage>(rejected);
            Assert.IsType<NodeGauges>(system.Serialization.Deserialize([0x0A, 0x05], ReplicationSerializer.Id, "N"));
            Assert.Equal(before + 2, ReplicationSerializer.Rejected);
        }
        finally
        {
            await system.Terminate();
        }
    }
}
