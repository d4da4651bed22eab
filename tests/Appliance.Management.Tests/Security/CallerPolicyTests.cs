using System.Net;
using Appliance.Management.Security;

namespace Appliance.Tests.Security;

public sealed class CallerPolicyTests
{
    private static readonly AdminToken Token = AdminToken.FromSecret("s3cret-token");

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("127.0.0.3", false)]
    [InlineData("10.0.0.5", false)]
    public void IsLocal_OnlyTheHostsOwnLoopbackSource(string address, bool local) =>
        Assert.Equal(local, CallerPolicy.IsLocal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.3", null, 401, "missing_token")]
    [InlineData("127.0.0.3", "Bearer nope", 401, "wrong_token")]
    [InlineData("127.0.0.3", "Bearer s3cret-token", 200, "")]
    [InlineData("10.1.2.3", "bearer  s3cret-token ", 200, "")]
    [InlineData("127.0.0.1", null, 200, "")]
    [InlineData("127.0.0.1", "Bearer nope", 401, "wrong_token")]
    public void Decide_WithTokenConfigured(string remote, string? authorization, int status, string reason)
    {
        var decision = CallerPolicy.Decide(IPAddress.Parse(remote), "127.0.0.2:9900", null, "GET", authorization, Token);

        Assert.Equal((status, reason), (decision.Status, decision.Reason));
    }

    [Fact]
    public void Decide_WithoutToken_RemoteIs403()
    {
        var decision = CallerPolicy.Decide(IPAddress.Parse("10.0.0.9"), "10.0.0.1:9900", null, "GET", "Bearer x", token: null);

        Assert.Equal((403, "token_not_configured"), (decision.Status, decision.Reason));
    }

    [Theory]
    [InlineData("localhost:9900", null, "GET", 200)]
    [InlineData("[::1]:9900", null, "GET", 200)]
    [InlineData("evil.example:9900", null, "GET", 403)]
    [InlineData("127.0.0.1:9900", "http://127.0.0.1:9900", "POST", 200)]
    [InlineData("127.0.0.1:9900", "http://evil.example", "POST", 403)]
    [InlineData("127.0.0.1:9900", "http://evil.example", "GET", 200)]
    public void Decide_LocalWithoutToken_GuardsHostAndOrigin(string host, string? origin, string method, int status)
    {
        var decision = CallerPolicy.Decide(IPAddress.Loopback, host, origin, method, null, Token);

        Assert.Equal(status, decision.Status);
    }

    [Fact]
    public void Token_MatchesOnlyItself()
    {
        Assert.True(Token.Matches("s3cret-token"));
        Assert.False(Token.Matches("s3cret-token2"));
        Assert.False(Token.Matches(""));
    }
}
