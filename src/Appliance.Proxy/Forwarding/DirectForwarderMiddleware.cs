
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.SessionAffinity;

namespace Appliance.Proxy.Forwarding;

/// <summary>
/// The last step of the proxy pipeline for plain HTTP/1.1 backends: forwards the request over a
/// pooled connection of our own instead of through YARP's forwarder and HttpClient, which cost
/// a quarter more CPU per request (docs/benchmarks.md). Clients may speak HTTP/1.x or HTTP/2
/// (cleartext or TLS): Kestrel ends the client's protocol, and the backend always gets HTTP/1.1.
/// Everything before it (routing, rate limits, admin states, sticky sessions, balancing, retries,
/// passive health) is unchanged; anything it does not handle (HTTP/2 to the backend, TLS to the
/// backend, upgrades and extended CONNECT, Expect, requests that need trailers such as gRPC,
/// route transforms, HTTP/3, a cluster with Forwarder "Yarp") goes on to YARP's forwarder as
/// before. Errors are reported as YARP reports them.
/// </summary>
internal sealed partial class DirectForwarderMiddleware
{
    private readonly RequestDelegate _next;
    private readonly BackendConnectionPools _pools;
    private readonly ConfigStore _configStore;
    private readonly IReadOnlyDictionary<string, ISessionAffinityPolicy> _affinityPolicies;
    private readonly ILogger<DirectForwarderMiddleware> _logger;
    private readonly ForwarderStats _stats;

    public DirectForwarderMiddleware(
        RequestDelegate next, BackendConnectionPools pools, ConfigStore configStore,
        IEnumerable<ISessionAffinityPolicy> affinityPolicies, ForwarderStats stats, ILogger<DirectForwarderMiddleware> logger)
    {
        _next = next;
        _stats = stats;
        _pools = pools;
        _configStore = configStore;
        _affinityPolicies = affinityPolicies.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        if (proxy.AvailableDestinations is not [var destination]
            || proxy.Route.Config.Transforms is { Count: > 0 }
            || !IsPlainRequest(context.Request, context.Features))
        {
            _stats.RecordYarp();
            return _next(context);
        }

        var cluster = proxy.Cluster;
        var plan = DirectPlans.PlanOf(cluster, _configStore.Current.Balancing.For(cluster.Config.ClusterId), _affinityPolicies);
        if (!plan.Eligible || DirectPlans.TargetOf(destination.Model) is not { } target)
        {
            _stats.RecordYarp();
            return _next(context);
        }

        _stats.RecordDirect();
        return ForwardAsync(context, proxy, destination, plan, target);
    }

    /// <summary>
    /// HTTP/1.x or HTTP/2 from the client, no upgrade, no Expect, a method with ordinary semantics
    /// (HTTP/2's extended CONNECT for WebSockets is a CONNECT), and nothing that needs trailers:
    /// an HTTP/1.1 backend connection of ours carries none back, so gRPC (which ends every call
    /// with a trailer) and any client that asks for them with <c>TE: trailers</c> keep YARP's path.
    /// </summary>
    internal static bool IsPlainRequest(HttpRequest request, IFeatureCollection features) =>
        (HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol) || HttpProtocol.IsHttp2(request.Protocol))
        && !HttpMethods.IsConnect(request.Method)
        && features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true }
        && !request.Headers.ContainsKey("Expect")
        && !WantsTrailers(request);

    private static bool WantsTrailers(HttpRequest request)
    {
        if (request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var value in request.Headers.TE)
        {
            foreach (var token in (value ?? "").Split(',', StringSplitOptions.TrimEntries))
            {
                if (token.Equals("trailers", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private async Task ForwardAsync(HttpContext context, IReverseProxyFeature proxy, DestinationState destination, DirectClusterPlan plan, DirectTarget target)
    {
        proxy.ProxiedDestination = destination;
        var outgoing = OutgoingRequestOf(context, target);
        Func<HttpContext, ValueTask>? onResponseHead = plan.Affinity is { } affinity
            ? c => affinity.AffinitizeResponseAsync(c, proxy.Route.Cluster!, plan.AffinityConfig!, destination, c.RequestAborted)
            : null;

        var pool = _pools.For(target.Authority, target.Host, target.Port);
        var outcome = await ForwardOnceAsync(context, pool, outgoing, plan, onResponseHead, fresh: false).ConfigureAwait(false);
        if (outcome.Error != ForwarderError.None && outcome.NothingReceived && outcome.WasReused
            && outgoing.BodyFraming == RequestBodyFraming.None && !context.RequestAborted.IsCancellationRequested)
        {
            // The backend closed a kept-alive connection as we sent on it (its idle timeout): not a
            // backend failure, and nothing was sent that matters. Once more, on a new connection.
            _stats.RecordStaleRetry();
            outcome = await ForwardOnceAsync(context, pool, outgoing, plan, onResponseHead, fresh: true).ConfigureAwait(false);
        }

        if (outcome.Error != ForwarderError.None)
        {
            Report(context, outcome.Outcome);
        }
    }

    private readonly record struct Attempt(ForwardOutcome Outcome, bool WasReused)
    {
        public ForwarderError Error => Outcome.Error;

        public bool NothingReceived => Outcome.NothingReceived;
    }

    private static async ValueTask<Attempt> ForwardOnceAsync(
        HttpContext context, BackendConnectionPool pool, OutgoingRequest outgoing, DirectClusterPlan plan,
        Func<HttpContext, ValueTask>? onResponseHead, bool fresh)
    {
        var connection = fresh ? null : pool.TryRent();
        var reused = connection is not null;
        if (connection is null)
        {
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            connectTimeout.CancelAfter(plan.ActivityTimeout);
            try
            {
                connection = await BackendConnection.ConnectAsync(pool.Endpoint, connectTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
            {
                var error = context.RequestAborted.IsCancellationRequested ? ForwarderError.RequestCanceled
                    : e is OperationCanceledException ? ForwarderError.RequestTimedOut : ForwarderError.Request;
                return new Attempt(ForwardOutcome.Failed(error, e, nothingReceived: false), false);
            }
        }

        connection.Arm(plan.ActivityTimeout);
        ForwardOutcome outcome;
        using (context.RequestAborted.UnsafeRegister(static c => ((BackendConnection)c!).Cancel(), connection))
        {
            outcome = await Http1Exchange.RunAsync(context, connection, outgoing, plan.ActivityTimeout, onResponseHead).ConfigureAwait(false);
        }

        if (outcome.Reusable)
        {
            pool.Return(connection);
        }
        else
        {
            connection.Dispose();
        }

        return new Attempt(outcome, reused);
    }

    /// <summary>The target, Host and X-Forwarded-* values YARP's default transforms would send, and the body framing.</summary>
    private static OutgoingRequest OutgoingRequestOf(HttpContext context, DirectTarget target)
    {
        var request = context.Request;
        var path = request.Path.ToUriComponent();
        var query = request.QueryString.ToUriComponent();
        var targetPath = target.PathPrefix.Length == 0
            ? (path.Length == 0 ? "/" + query : path + query)
            : string.Concat(target.PathPrefix, path, query);

        var framing = RequestBodyFraming.None;
        long length = 0;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            if (request.ContentLength is { } declared)
            {
                framing = declared > 0 ? RequestBodyFraming.ContentLength : RequestBodyFraming.None;
                length = declared;
            }
            else
            {
                framing = RequestBodyFraming.Chunked;
            }
        }
        else if (request.ContentLength == 0 && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            framing = RequestBodyFraming.ContentLength; // "Content-Length: 0" on a POST is passed on; some backends insist on it
        }

        return new OutgoingRequest(
            request.Method,
            targetPath,
            target.HostHeader,
            ClientText(context.Connection.RemoteIpAddress),
            request.Scheme,
            request.Host.ToUriComponent(),
            request.PathBase.HasValue ? request.PathBase.ToUriComponent() : null,
            framing,
            length);
    }

    // An IPv4 client accepted on a dual-stack socket is written as IPv4, as YARP (2.2 on) writes it.
    private static string? ClientText(System.Net.IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4().ToString() : address?.ToString();

    private void Report(HttpContext context, ForwardOutcome outcome)
    {
        context.Features.Set<IForwarderErrorFeature>(new DirectForwarderErrorFeature(outcome.Error, outcome.Exception));
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = outcome.Error switch
            {
                ForwarderError.RequestTimedOut => StatusCodes.Status504GatewayTimeout,
                ForwarderError.RequestBodyClient => StatusCodes.Status400BadRequest,
                _ => StatusCodes.Status502BadGateway,
            };
        }
        else
        {
            context.Abort(); // the client has part of an answer: cutting the connection is the only honest end
        }

        LogFailed(_logger, outcome.Error, context.Request.Path.Value, outcome.Exception?.Message);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Forwarding failed ({Error}) for {Path}: {Reason}")]
    private static partial void LogFailed(ILogger logger, ForwarderError error, string? path, string? reason);
}
