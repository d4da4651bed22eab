using Appliance.Management.Contracts;
using Appliance.Tests.Support;
using Microsoft.Playwright;

namespace Appliance.Tests.Dashboard;

/// <summary>
/// The dashboard in a real headless Chromium (Debian's, driven by Playwright; Playwright's own
/// browser download is never used): it shows members, VIPs and backends, drains a backend with a
/// click, and a screenshot is saved under TestResults/ for a person to look at.
/// </summary>
public sealed class DashboardTests
{
    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    [ChromiumFact]
    public async Task Page_ShowsPanelsAndBackends_DrainButtonChangesTheState()
    {
        await using var node = await AdminNode.StartAsync();
        await node.TrafficAsync(30);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.Executable,
            Headless = true,
            Args = ChromiumArgs,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };

        await page.GotoAsync(node.AdminUrl.ToString());

        var row = page.Locator("tr[data-backend='web/backend-1']");
        await Assertions.Expect(row).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#node-name")).ToHaveTextAsync("test");
        await Assertions.Expect(page.Locator("#node-ready")).ToHaveTextAsync("ready");
        await Assertions.Expect(page.Locator("#members")).ToContainTextAsync("cluster not configured");
        await Assertions.Expect(page.Locator("#vips")).ToContainTextAsync("VIPs not configured");
        await Assertions.Expect(page.Locator("section#pools article.pool")).ToHaveCountAsync(3);
        var tcpPool = page.Locator("article.pool[data-layer='tcp'][data-cluster='db']");
        await Assertions.Expect(tcpPool.Locator(".pool-title")).ToHaveTextAsync("tcp db");
        await Assertions.Expect(tcpPool.Locator("th.rate")).ToHaveTextAsync("Conn/s");
        await Assertions.Expect(tcpPool.Locator("tbody tr")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("tr[data-backend^='web/']")).ToHaveCountAsync(3);
        await Assertions.Expect(row.Locator(".admin-state")).ToHaveTextAsync("ready");

        await row.Locator("button[data-action='drain']").ClickAsync();

        await Assertions.Expect(row.Locator(".admin-state")).ToHaveTextAsync("drain");
        await Assertions.Expect(row.Locator("button[data-action='drain']")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("web/backend-1: draining");
        using (var admin = node.Local())
        {
            var backend = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.Backend("web", "backend-1")), AdminJson.Context.BackendInfo);
            Assert.Equal("drain", backend.AdminState);
        }

        var tcpRow = tcpPool.Locator("tr[data-backend='db/backend-2']");
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await tcpRow.Locator("button[data-action='maint']").ClickAsync();
        await Assertions.Expect(tcpRow.Locator(".admin-state")).ToHaveTextAsync("maint");
        using (var admin = node.Local())
        {
            var backend = await ApiAssert.OkAsync(await admin.GetAsync(AdminPaths.Backend("db", "backend-2", AdminPaths.TcpBackends)), AdminJson.Context.BackendInfo);
            Assert.Equal("maint", backend.AdminState);
        }

        await node.TrafficAsync(20);
        await page.WaitForTimeoutAsync(2500); // let the chart draw a few seconds of traffic
        var screenshot = Path.Combine(ResultsDirectory(), "dashboard.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is suspiciously small");
        Assert.Empty(errors);
    }

    /// <summary>TestResults/ at the repository root (where scripts/test.sh collects results), else beside the tests.</summary>
    private static string ResultsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Appliance.sln")))
            {
                return Directory.CreateDirectory(Path.Combine(dir.FullName, "TestResults")).FullName;
            }
        }

        return AppContext.BaseDirectory;
    }
}
