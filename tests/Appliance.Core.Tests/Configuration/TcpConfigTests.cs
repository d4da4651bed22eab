using System.Text.Json.Nodes;
using Appliance.Core.Configuration;
using static Appliance.Tests.Configuration.TestConfigs;

namespace Appliance.Tests.Configuration;

/// <summary>The <c>Tcp</c> section: binding, unknown keys and every semantic rule, each error at its JSON path.</summary>
public sealed class TcpConfigTests
{
    private const string Valid = """
        {
          "Listeners": [ { "Name": "web", "Address": "0.0.0.0:8080" } ],
          "Tcp": {
            "Listeners": {
              "pg": {
                "Address": "10.0.0.100:5432", "Pool": "pg", "FreeBind": true, "MaxConnections": 1000,
                "Queue": { "MaxLength": 50, "Timeout": "00:00:02" }, "IdleTimeout": "00:10:00", "DrainTimeout": "00:00:20",
                "AcceptProxyProtocol": { "TrustedProxies": [ "10.0.0.1", "10.2.0.0/24" ], "HeaderTimeout": "00:00:03" }
              }
            },
            "Pools": {
              "pg": {
                "Policy": "leastconnections", "ConnectTimeout": "00:00:01", "Retries": 3, "SlowStart": "00:00:10",
                "Queue": { "MaxLength": 10, "Timeout": "00:00:01" },
                "Sticky": { "Enabled": true, "IdleTimeout": "00:05:00" },
                "HealthCheck": { "Enabled": true, "Interval": "00:00:02", "Timeout": "00:00:01", "Rise": 2, "Fall": 3, "Send": "PING\r\n", "Expect": "+PONG" },
                "PassiveHealthCheck": { "Enabled": true, "ConsecutiveFailures": 3 },
                "SendProxyProtocol": "v2",
                "Backends": {
                  "db1": { "Address": "10.0.1.11:5432", "Weight": 3, "MaxConnections": 200, "State": "ready" },
                  "db2": { "Address": "[2001:db8::12]:5432", "State": "drain" }
                }
              }
            }
          }
        }
        """;

    private static ConfigLoadResult ParseWith(Action<JsonObject> change)
    {
        var root = JsonNode.Parse(Valid)!.AsObject();
        change(root);
        return ConfigLoader.Parse(root.ToJsonString());
    }

    private static JsonObject Listener(JsonObject root) => At(root, "Tcp", "Listeners", "pg");

    private static JsonObject Pool(JsonObject root) => At(root, "Tcp", "Pools", "pg");

    private static JsonObject Backend(JsonObject root, string id = "db1") => At(Pool(root), "Backends", id);

    [Fact]
    public void Parse_FullTcpSection_BindsEveryValue()
    {
        var result = ConfigLoader.Parse(Valid);

        Assert.Empty(result.Errors);
        var tcp = result.Config!.Tcp;
        var listener = tcp.Listeners["PG"];
        Assert.Equal(("10.0.0.100:5432", "pg", 1000, 50), (listener.Address, listener.Pool, listener.MaxConnections, listener.Queue.MaxLength));
        Assert.Equal((TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(20)), (listener.IdleTimeout, listener.DrainTimeout));
        Assert.Equal(["10.0.0.1", "10.2.0.0/24"], listener.AcceptProxyProtocol!.TrustedProxies);
        var pool = tcp.Pools["pg"];
        Assert.Equal(("leastconnections", 3, "v2"), (pool.Policy, pool.Retries, pool.SendProxyProtocol));
        Assert.Equal(("PING\r\n", "+PONG", 3), (pool.HealthCheck.Send, pool.HealthCheck.Expect, pool.HealthCheck.Fall));
        Assert.True(pool.Sticky.Enabled);
        Assert.Equal((3, 200, BackendAdminState.Ready), (pool.Backends["db1"].Weight, pool.Backends["db1"].MaxConnections, pool.Backends["db1"].State));
        Assert.Equal(BackendAdminState.Drain, pool.Backends["db2"].State);
    }

    [Fact]
    public void Parse_NoTcpSection_HasEmptyDefaults()
    {
        var result = ConfigLoader.Parse("{}");

        Assert.Empty(result.Errors);
        Assert.Empty(result.Config!.Tcp.Listeners);
        Assert.Empty(result.Config.Tcp.Pools);
    }

    [Fact]
    public void Parse_TypoInListenerKey_ReportsKeyWithSuggestion() =>
        AssertSingleError(ParseWith(root => Rename(Listener(root), "MaxConnections", "MaxConnection")),
            "$.Tcp.Listeners.pg.MaxConnection", "not a known setting", "Did you mean 'MaxConnections'?");

    [Fact]
    public void Parse_UnknownKeyInBackend_Reports() =>
        AssertSingleError(ParseWith(root => Backend(root)["Port"] = 5432),
            "$.Tcp.Pools.pg.Backends.db1.Port", "not a known setting", "Address");

    [Fact]
    public void Parse_ListenersAsList_ReportsType() =>
        AssertSingleError(ParseWith(root => At(root, "Tcp")["Listeners"] = new JsonArray()),
            "$.Tcp.Listeners", "expected an object keyed by id");

    [Fact]
    public void Parse_ListenerNamesMissingPool_SuggestsExisting() =>
        AssertSingleError(ParseWith(root => Listener(root)["Pool"] = "pgg"),
            "$.Tcp.Listeners.pg.Pool", "'pgg' is not a pool", "Did you mean 'pg'?");

    [Fact]
    public void Parse_ListenerWithoutPool_Reports() =>
        AssertSingleError(ParseWith(root => Listener(root).Remove("Pool")),
            "$.Tcp.Listeners.pg.Pool", "names no pool", "'pg'");

    [Fact]
    public void Parse_ListenerOnHttpListenerPort_ReportsOverlap() =>
        AssertSingleError(ParseWith(root => Listener(root)["Address"] = "*:8080"),
            "$.Tcp.Listeners.pg.Address", "overlaps $.Listeners[0].Address");

    [Fact]
    public void Parse_TwoTcpListenersOnOnePort_ReportsSecond() =>
        AssertSingleError(ParseWith(root => At(root, "Tcp", "Listeners")["pg2"] = new JsonObject { ["Address"] = "0.0.0.0:5432", ["Pool"] = "pg" }),
            "$.Tcp.Listeners.pg2.Address", "overlaps $.Tcp.Listeners.pg.Address");

    [Fact]
    public void Parse_AdminOnTcpListenerPort_Reports() =>
        AssertSingleError(ParseWith(root => root["Admin"] = new JsonObject { ["Address"] = "10.0.0.100:5432" }),
            "$.Admin.Address", "overlaps the listener at $.Tcp.Listeners.pg.Address");

    [Fact]
    public void Parse_ListenerAddressWithoutPort_Reports() =>
        AssertSingleError(ParseWith(root => Listener(root)["Address"] = "10.0.0.100"),
            "$.Tcp.Listeners.pg.Address", "has no port");

    [Fact]
    public void Parse_NegativeListenerLimits_ReportsEach()
    {
        var result = ParseWith(root =>
        {
            Listener(root)["MaxConnections"] = -1;
            At(Listener(root), "Queue")["MaxLength"] = -1;
            Listener(root)["DrainTimeout"] = "-00:00:01";
            Listener(root)["IdleTimeout"] = "00:00:00";
        });

        Assert.Equal(
            ["$.Tcp.Listeners.pg.MaxConnections", "$.Tcp.Listeners.pg.Queue.MaxLength", "$.Tcp.Listeners.pg.IdleTimeout", "$.Tcp.Listeners.pg.DrainTimeout"],
            result.Errors.Select(e => e.Path));
    }

    [Fact]
    public void Parse_IdleTimeoutAsBareNumber_ReportsFormat() =>
        AssertSingleError(ParseWith(root => Listener(root)["IdleTimeout"] = "30"),
            "$.Tcp.Listeners.pg.IdleTimeout", "\"hh:mm:ss\"");

    [Fact]
    public void Parse_AcceptProxyProtocolWithoutTrustedProxies_Reports() =>
        AssertSingleError(ParseWith(root => At(Listener(root), "AcceptProxyProtocol")["TrustedProxies"] = new JsonArray()),
            "$.Tcp.Listeners.pg.AcceptProxyProtocol.TrustedProxies", "no front is trusted");

    [Fact]
    public void Parse_TrustedProxyWithHostBits_SuggestsNetwork() =>
        AssertSingleError(ParseWith(root => At(Listener(root), "AcceptProxyProtocol")["TrustedProxies"]![1] = "10.2.0.7/24"),
            "$.Tcp.Listeners.pg.AcceptProxyProtocol.TrustedProxies[1]", "\"10.2.0.0/24\"");

    [Fact]
    public void Parse_UnknownPolicy_SuggestsAndLists() =>
        AssertSingleError(ParseWith(root => Pool(root)["Policy"] = "LeastConnection"),
            "$.Tcp.Pools.pg.Policy", "Did you mean 'LeastConnections'?", "'ConsistentHash'", "client IP");

    [Fact]
    public void Parse_PoolWithoutBackends_Reports() =>
        AssertSingleError(ParseWith(root => Pool(root)["Backends"] = new JsonObject()),
            "$.Tcp.Pools.pg.Backends", "no backends");

    [Theory]
    [InlineData("db.example.com:5432", "not an IP address")]
    [InlineData("*:5432", "does not name one address")]
    [InlineData("localhost:5432", "does not name one address")]
    [InlineData("0.0.0.0:5432", "unspecified address")]
    [InlineData("10.0.1.11", "has no port")]
    public void Parse_BadBackendAddress_Reports(string address, string message) =>
        AssertSingleError(ParseWith(root => Backend(root)["Address"] = address),
            "$.Tcp.Pools.pg.Backends.db1.Address", message);

    [Fact]
    public void Parse_BackendWeight300_Reports() =>
        AssertSingleError(ParseWith(root => Backend(root)["Weight"] = 300),
            "$.Tcp.Pools.pg.Backends.db1.Weight", "from 0 (no new connections) to 256");

    [Fact]
    public void Parse_BackendStatePaused_ListsStates() =>
        AssertSingleError(ParseWith(root => Backend(root)["State"] = "paused"),
            "$.Tcp.Pools.pg.Backends.db1.State", "Ready, Drain, Maint");

    [Fact]
    public void Parse_RetriesAboveTen_Reports() =>
        AssertSingleError(ParseWith(root => Pool(root)["Retries"] = 11),
            "$.Tcp.Pools.pg.Retries", "from 0 to 10");

    [Fact]
    public void Parse_ZeroConnectTimeout_Reports() =>
        AssertSingleError(ParseWith(root => Pool(root)["ConnectTimeout"] = "00:00:00"),
            "$.Tcp.Pools.pg.ConnectTimeout", "more than zero");

    [Fact]
    public void Parse_HealthRiseZeroAndEmptyExpect_ReportsBoth()
    {
        var result = ParseWith(root =>
        {
            At(Pool(root), "HealthCheck")["Rise"] = 0;
            At(Pool(root), "HealthCheck")["Expect"] = "";
        });

        Assert.Equal(["$.Tcp.Pools.pg.HealthCheck.Rise", "$.Tcp.Pools.pg.HealthCheck.Expect"], result.Errors.Select(e => e.Path));
    }

    [Fact]
    public void Parse_CountServerErrorsOnTcp_Reports() =>
        AssertSingleError(ParseWith(root => At(Pool(root), "PassiveHealthCheck")["CountServerErrors"] = true),
            "$.Tcp.Pools.pg.PassiveHealthCheck.CountServerErrors", "TCP has no server error");

    [Fact]
    public void Parse_ProxyProtocolV3_ListsChoices() =>
        AssertSingleError(ParseWith(root => Pool(root)["SendProxyProtocol"] = "v3"),
            "$.Tcp.Pools.pg.SendProxyProtocol", "'None', 'V1', 'V2'");

    [Fact]
    public void Parse_ProblemsInListenerAndPool_ReportsAllAtOnce()
    {
        var result = ParseWith(root =>
        {
            Listener(root)["Pool"] = "nope";
            Backend(root, "db2")["Address"] = "[2001:db8::12]";
            Pool(root)["Sticky"] = new JsonObject { ["Enabled"] = true, ["IdleTimeout"] = 5 };
        });

        Assert.Equal(
            ["$.Tcp.Pools.pg.Sticky.IdleTimeout", "$.Tcp.Listeners.pg.Pool", "$.Tcp.Pools.pg.Backends.db2.Address"],
            result.Errors.Select(e => e.Path));
    }
}
