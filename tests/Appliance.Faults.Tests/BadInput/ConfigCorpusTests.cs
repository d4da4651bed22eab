using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.BadInput;

/// <summary>
/// The corpus of malformed and contradictory configuration files (Corpus/config/*.json), fed to a
/// running node one after the other through its admin API: each must be refused by validation and
/// by reload, with an error at the JSON path the file's <c>// expect PATH => FIX</c> lines name and
/// a message containing that fix, and the node must keep serving its last good configuration. At
/// the end a good file is applied again. <c>{{dir}}</c> in a file is a directory holding a
/// certificate, a key of another certificate and a cluster key.
/// </summary>
[Trait("Category", "Faults")]
public sealed class ConfigCorpusTests(ITestOutputHelper output)
{
    private static readonly string CorpusDirectory = Path.Combine(AppContext.BaseDirectory, "Corpus", "config");

    private sealed record Expectation(string Path, string Fix);

    private sealed record CorpusFile(string Name, string Text, IReadOnlyList<Expectation> Expected);

    private static List<CorpusFile> Corpus() =>
        [.. Directory.GetFiles(CorpusDirectory, "*.json").Order(StringComparer.Ordinal).Select(path =>
        {
            var text = File.ReadAllText(path);
            var expected = text.Split('\n')
                .Where(l => l.StartsWith("// expect ", StringComparison.Ordinal))
                .Select(l => l["// expect ".Length..].Split(" => ", 2))
                .Select(p => new Expectation(p[0].Trim(), p[1].Trim()))
                .ToList();
            return new CorpusFile(Path.GetFileNameWithoutExtension(path), text, expected);
        })];

    [Fact]
    public void Corpus_AtLeastThirtyFiles_EachSaysWhatMustBeReported()
    {
        var corpus = Corpus();

        Assert.True(corpus.Count >= 30, $"only {corpus.Count} files in {CorpusDirectory}");
        Assert.All(corpus, f => Assert.True(f.Expected.Count > 0 && f.Expected.All(e => e.Path.StartsWith('$') && e.Fix.Length > 0),
            $"{f.Name} has no usable '// expect $.path => fix' line"));
    }

    [Fact]
    public async Task RunningNode_EveryCorpusFile_RefusedWithPathAndFix_LastGoodConfigKeepsServing()
    {
        await using var backend = await FaultBackend.StartAsync("backend");
        var good = EdgeNodeFixture.Config(FreePort.Next(), backend);
        await using var node = await NodeProcess.StartAsync(good);
        var files = Path.Combine(node.Directory, "corpus-files");
        WriteFixtures(files);
        var revision = await RevisionAsync(node);
        var problems = new List<string>();
        var timer = Stopwatch.StartNew();
        var corpus = Corpus();

        foreach (var file in corpus)
        {
            var text = file.Text.Replace("{{dir}}", files, StringComparison.Ordinal);

            // What `applianced validate` and the admin API's validate say, without applying anything...
            using (var validate = await node.Admin.PostAsync(new Uri("api/v1/config/validate", UriKind.Relative), new StringContent(text, Encoding.UTF8, "application/json")))
            {
                using var body = JsonDocument.Parse(await validate.Content.ReadAsStringAsync());
                Assert.False(body.RootElement.GetProperty("valid").GetBoolean(), $"{file.Name}: validation found it valid");
                Check(file, "validate", body.RootElement.GetProperty("errors"), problems);
            }

            // ...and what a reload of the file does: refused, every problem listed.
            await node.WriteConfigAsync(text);
            var (status, reload) = await node.ReloadAsync();
            using (reload)
            {
                Assert.True(status == 422, $"{file.Name}: reload answered {status}: {reload.RootElement}");
                Check(file, "reload", reload.RootElement.GetProperty("errors"), problems);
            }

            // The node still serves with the configuration it had.
            var served = await HttpTestHelpers.SendRawAsync(node.HttpPort, $"GET /after-{file.Name} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            Assert.True(HttpTestHelpers.StatusOf(served) == 200, $"after {file.Name} the node answered:\n{served}");
            Assert.Equal(revision, await RevisionAsync(node));
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Figures.Record(output, "config corpus", "files refused", corpus.Count, "files");
        Figures.Record(output, "config corpus", "mean time per file (validate + reload + request)", timer.Elapsed.TotalMilliseconds / corpus.Count, "ms");

        // Every refusal was logged with its path, and a good file is still applied afterwards.
        foreach (var expectation in corpus.SelectMany(f => f.Expected))
        {
            Assert.Contains(expectation.Path + ":", node.Output, StringComparison.Ordinal);
        }

        await node.WriteConfigAsync(good.ToJsonString());
        var (applied, result) = await node.ReloadAsync();
        using (result)
        {
            Assert.Equal(200, applied);
            Assert.True(result.RootElement.GetProperty("revision").GetInt64() > revision); // the file watcher may have applied it first
        }
    }

    /// <summary>Each expectation must match one reported problem: that exact path, and the fix in its message.</summary>
    private static void Check(CorpusFile file, string how, JsonElement reported, List<string> problems)
    {
        var list = reported.EnumerateArray().Select(p => (Path: p.GetProperty("path").GetString()!, Message: p.GetProperty("message").GetString()!)).ToList();
        foreach (var expectation in file.Expected)
        {
            if (!list.Any(p => p.Path == expectation.Path && p.Message.Contains(expectation.Fix, StringComparison.Ordinal)))
            {
                problems.Add($"{file.Name} ({how}): expected {expectation.Path} => '{expectation.Fix}', got: {string.Join(" | ", list.Select(p => p.Path + ": " + p.Message))}");
            }
        }
    }

    private static async Task<long> RevisionAsync(NodeProcess node) =>
        (await node.GetJsonAsync("api/v1/status")).GetProperty("config").GetProperty("revision").GetInt64();

    /// <summary>A certificate and its key, the key of another certificate, and a cluster key.</summary>
    private static void WriteFixtures(string directory)
    {
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=site.test", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        File.WriteAllText(Path.Combine(directory, "site.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "site.key"), key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(directory, "other.key"), other.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(directory, "cluster.key"), Convert.ToBase64String(new byte[32]) + "\n");
    }
}
