using Appliance.Node.Hosting;
using System.Text.Json.Nodes;
using Appliance.Management.Contracts;
using Appliance.Tests.Support;

namespace Appliance.Tests.Daemon;

/// <summary>The real applianced binary: command line, exit codes, reload, demo.</summary>
public sealed class DaemonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("applianced-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Help_DescribesRunValidateAndDemo()
    {
        var (code, output) = await DaemonProcess.RunAsync("--help");

        Assert.Equal(0, code);
        Assert.Contains("run", output, StringComparison.Ordinal);
        Assert.Contains("demo", output, StringComparison.Ordinal);
        Assert.Contains("validate", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithoutConfigOption_IsAUsageError()
    {
        var (code, output) = await DaemonProcess.RunAsync("run");

        Assert.NotEqual(0, code);
        Assert.Contains("--config", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InvalidConfig_ExitsWith2AndListsEveryProblem()
    {
        var path = Write("bad.json", """
            {
              "Listeners": [ { "Name": "web", "Address": "127.0.0.1:99999" } ],
              "ReverseProxy": {
                "Routes": { "r": { "ClusterId": "missing", "Match": { "Path": "/{**x}" } } },
                "Clusters": { "c": { "LoadBalancingPolicy": "Fastest", "Destinations": { "d": { "Address": "http://127.0.0.1:1/" } } } }
              }
            }
            """);

        var (code, output) = await DaemonProcess.RunAsync("run", "--config", path);

        Assert.Equal(2, code);
        Assert.Contains("$.Listeners[0].Address", output, StringComparison.Ordinal);
        Assert.Contains("$.ReverseProxy.Routes.r.ClusterId", output, StringComparison.Ordinal);
        Assert.Contains("$.ReverseProxy.Clusters.c.LoadBalancingPolicy", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingFile_ExitsWith2AndSaysSo()
    {
        var (code, output) = await DaemonProcess.RunAsync("run", "--config", Path.Combine(_dir, "nope.json"));

        Assert.Equal(2, code);
        Assert.Contains("nope.json", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_GoodAndBadFiles_ReportedWithExitCodes()
    {
        var good = Write("good.json", TestConfig.Create(FreePort.Next(), []).ToJsonString().Replace("\"Destinations\":{}", "\"Destinations\":{\"d\":{\"Address\":\"http://127.0.0.1:1/\"}}", StringComparison.Ordinal));
        var bad = Write("bad.json", "{ \"Listeners\": [ { \"Name\": \"web\", \"Address\": \"nowhere\" } ] ");

        var (goodCode, goodOutput) = await DaemonProcess.RunAsync("validate", "--config", good);
        var (badCode, badOutput) = await DaemonProcess.RunAsync("validate", "--config", bad);

        Assert.True(goodCode == 0, goodOutput);
        Assert.Contains("valid", goodOutput, StringComparison.Ordinal);
        Assert.Equal(2, badCode);
        Assert.Contains("line", badOutput, StringComparison.OrdinalIgnoreCase);
    }

    [SignalFact(SignalDisposition.SigHup)]
    public async Task Run_ReloadsOnFileChange_KeepsLastGoodOnBadFile_AndReloadsOnSighup()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var port = FreePort.Next();
        JsonObject ConfigFor(int backend) => TestConfig.Create(port, [backends[backend]]);
        var path = Write("appliance.json", ConfigFor(0).ToJsonString());
        using var daemon = DaemonProcess.Start("run", "--config", path);
        await daemon.WaitForOutputAsync("serving 1 listener(s)");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        Assert.Equal("backend-1", (await TestNode.GetAsync(client)).Backend);

        // A good change is picked up from the file.
        File.WriteAllText(path, ConfigFor(1).ToJsonString());
        await daemon.WaitForOutputAsync("Configuration reloaded");
        Assert.Equal("backend-2", (await TestNode.GetAsync(client)).Backend);

        // A bad file is refused with its problems, and the last good configuration keeps serving.
        File.WriteAllText(path, "{ \"ReverseProxy\": { \"Clusters\": { \"c\": { \"Destinations\": { } } } } }");
        await daemon.WaitForOutputAsync("refused");
        Assert.Contains("$.ReverseProxy.Clusters.c", daemon.Output, StringComparison.Ordinal);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal((200, "backend-2"), await TestNode.GetAsync(client));
        }

        // SIGHUP reloads (and does not terminate the daemon).
        File.WriteAllText(path, ConfigFor(0).ToJsonString());
        await daemon.WaitForOutputAsync("Configuration reloaded", occurrences: 2);
        daemon.Signal("HUP");
        await daemon.WaitForOutputAsync("(SIGHUP)");
        Assert.Equal("backend-1", (await TestNode.GetAsync(client)).Backend);

        // SIGTERM stops it cleanly.
        daemon.Signal("TERM");
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Run_InflightRequestsFinishAcrossReload()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var port = FreePort.Next();
        var path = Write("appliance.json", TestConfig.Create(port, [backends[0]]).ToJsonString());
        using var daemon = DaemonProcess.Start("run", "--config", path);
        await daemon.WaitForOutputAsync("serving 1 listener(s)");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        var slow = TestNode.GetAsync(client, "/slow?ms=1500");
        await Task.Delay(300);
        File.WriteAllText(path, TestConfig.Create(port, [backends[1]]).ToJsonString());
        await daemon.WaitForOutputAsync("Configuration reloaded");

        Assert.Equal((200, "backend-1"), await slow);
        Assert.Equal("backend-2", (await TestNode.GetAsync(client)).Backend);
    }

    [SignalFact(SignalDisposition.SigInt)]
    public async Task Demo_ThreeNodesShareStickySessions_AndStopCleanlyOnCtrlC()
    {
        // The demo takes three consecutive ports from each option; retry if a neighbour is taken.
        DaemonProcess? daemon = null;
        var (port, adminPort) = (0, 0);
        for (var attempt = 0; attempt < 5 && daemon is null; attempt++)
        {
            (port, adminPort) = (FreePort.Next(), FreePort.Next());
            var started = DaemonProcess.Start("demo", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--admin-port", adminPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (await started.WaitForExitAsync(TimeSpan.FromSeconds(2)).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default))
            {
                // Refused at once: a port of one of the three nodes was taken (or the two ranges overlap).
                Assert.Contains("applianced demo:", started.Output, StringComparison.Ordinal);
                started.Dispose();
                continue;
            }

            daemon = started;
        }

        Assert.NotNull(daemon);
        using (daemon)
        {
            await daemon.WaitForOutputAsync("Appliance demo is running", 40_000);
            Assert.Contains($"http://127.0.0.1:{port + 2}", daemon.Output, StringComparison.Ordinal);
            using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

            var seen = new HashSet<string>();
            for (var i = 0; i < 6; i++)
            {
                using var response = await client.GetAsync(new Uri("/", UriKind.Relative));
                seen.Add((await response.Content.ReadAsStringAsync()).Trim());
            }

            Assert.Equal(["Hello from backend-1", "Hello from backend-2", "Hello from backend-3"], seen.Order());

            // A sticky client keeps its backend whichever node it enters through (once the session
            // reached that node: a client switching nodes within a few ms could be pinned anew).
            using var first = await client.GetAsync(new Uri("/sticky/", UriKind.Relative));
            var cookie = first.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
            var backend = (await first.Content.ReadAsStringAsync()).Trim();
            var sessionPath = AdminPaths.Session("http/sticky/" + cookie.Split('=', 2)[1]);
            for (var n = 1; n < 3; n++)
            {
                using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort + n}/") };
                var deadline = DateTime.UtcNow.AddSeconds(5);
                while ((await admin.GetAsync(new Uri(sessionPath, UriKind.Relative))).StatusCode != System.Net.HttpStatusCode.OK)
                {
                    Assert.True(DateTime.UtcNow < deadline, $"node {n + 1} never got the session {sessionPath}");
                    await Task.Delay(20);
                }

                using var other = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port + n}/") };
                using var request = new HttpRequestMessage(HttpMethod.Get, "/sticky/");
                request.Headers.Add("Cookie", cookie);
                using var response = await other.SendAsync(request);
                Assert.Equal(backend, (await response.Content.ReadAsStringAsync()).Trim());
            }

            daemon.Signal("INT");
            Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            Assert.Contains("demo stopped", daemon.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Demo_PortInUse_SaysSoAndExits()
    {
        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        var port = ((System.Net.IPEndPoint)busy.LocalEndpoint).Port;

        var (code, output) = await DaemonProcess.RunAsync("demo", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--admin-port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(1, code);
        Assert.Contains("in use", output, StringComparison.Ordinal);
    }
}
