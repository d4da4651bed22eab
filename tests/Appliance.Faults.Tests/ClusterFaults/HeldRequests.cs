using Appliance.Tests.Support.Netns;

namespace Appliance.Tests.ClusterFaults;

/// <summary>
/// Long requests (<c>/held?ms=60000</c>: the demo backend answers after a minute) kept in flight to
/// each balancer's own address from the client namespace, <see cref="PerNode"/> at a time per node:
/// each is sent again when it ends, and every 200 ms while its node is down, so in the steady state
/// every live node counts exactly <see cref="PerNode"/> requests in flight of its own. That makes the
/// replicated connection counts something a test can check: a killed node's share must disappear
/// from the survivors, a restarted or healed node's must appear. Bounded: stopped on dispose, or
/// after 30 minutes.
/// </summary>
internal sealed class HeldRequests : IDisposable
{
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(30));
    private readonly HttpClient _http;
    private readonly Task[] _holders;

    public HeldRequests(NetnsHost client, IEnumerable<Uri> nodes, int perNode)
    {
        PerNode = perNode;
        _http = client.HttpClient(TimeSpan.FromSeconds(90));
        _holders = [.. nodes.SelectMany(node => Enumerable.Range(0, perNode).Select(_ => Task.Run(() => HoldAsync(node))))];
    }

    public int PerNode { get; }

    private async Task HoldAsync(Uri node)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var response = await _http.GetAsync(new Uri(node, "held?ms=60000"), _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                // the node is down, restarting or cut off: try again shortly
                try
                {
                    await Task.Delay(200, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        Task.WaitAll(_holders, TimeSpan.FromSeconds(10));
        _http.Dispose();
        _stop.Dispose();
    }
}
