using System.Net;
using Appliance.Management.Metrics;
using Microsoft.AspNetCore.Http;

namespace Appliance.Management.Security;

/// <summary>
/// Who may use the admin API. The rule, as documented in docs/configuration.md:
/// <list type="bullet">
/// <item>A <b>local</b> caller connects from <c>127.0.0.1</c> or <c>::1</c>: the source address the
/// kernel gives any connection made on this host to a loopback address. Local callers need no token,
/// but (since a browser on the host could be steered by a web page) they must address the node as
/// <c>localhost</c> or a loopback IP (guards against DNS rebinding), and an action (POST, PUT,
/// DELETE, PATCH) carrying an <c>Origin</c> must come from the admin listener's own origin (guards
/// against cross-site requests).</item>
/// <item>Every other caller, including one that binds another 127.x address on purpose, is
/// <b>remote</b> and must send <c>Authorization: Bearer TOKEN</c> with the token from
/// <c>Admin.TokenFile</c>: missing or wrong gives 401. Without a token file, remote callers get 403.</item>
/// <item>A token, when sent, is always checked: a wrong one gives 401 even to a local caller.</item>
/// </list>
/// </summary>
internal static class CallerPolicy
{
    public static AuthDecision Decide(IPAddress? remote, string? host, string? origin, string method, string? authorization, AdminToken? token)
    {
        var bearer = BearerOf(authorization);
        var local = IsLocal(remote);
        if (bearer is not null && token is not null)
        {
            return token.Matches(bearer)
                ? AuthDecision.Allowed
                : AuthDecision.Refuse(401, AuthReasons.WrongToken, "the bearer token is not the one in the node's Admin.TokenFile; check the file you pass with --token-file.");
        }

        if (!local)
        {
            return token is null
                ? AuthDecision.Refuse(403, AuthReasons.TokenNotConfigured,
                    $"this node serves its admin API only to local callers (you are {remote}) because Admin.TokenFile is not set; set it on the node and restart, or call from the node itself.")
                : AuthDecision.Refuse(401, AuthReasons.MissingToken,
                    $"callers from {remote} must send 'Authorization: Bearer TOKEN' with the token in the node's Admin.TokenFile (appliancectl: --token-file FILE).");
        }

        if (!IsLoopbackHost(host))
        {
            return AuthDecision.Refuse(403, AuthReasons.NotLoopbackHost,
                $"local callers without a token must address the node as localhost or by a loopback IP, not '{host}' (this guards against DNS rebinding); use http://127.0.0.1:PORT/ or send the token.");
        }

        if (origin is not null && !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !SameOrigin(origin, host!))
        {
            return AuthDecision.Refuse(403, AuthReasons.CrossOrigin,
                $"an action from the web origin '{origin}' is refused: only pages served by this admin listener may act without a token.");
        }

        return AuthDecision.Allowed;
    }

    /// <summary>127.0.0.1 or ::1 (also as an IPv4-mapped IPv6 address).</summary>
    public static bool IsLocal(IPAddress? remote)
    {
        if (remote is null)
        {
            return false;
        }

        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }

        return remote.Equals(IPAddress.Loopback) || remote.Equals(IPAddress.IPv6Loopback);
    }

    private static string? BearerOf(string? authorization)
    {
        const string Scheme = "Bearer ";
        return authorization is not null && authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            ? authorization[Scheme.Length..].Trim()
            : null;
    }

    private static bool IsLoopbackHost(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return false;
        }

        var name = HostString.FromUriComponent(host).Host.Trim('[', ']');
        return string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }

    private static bool SameOrigin(string origin, string host) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Authority, host, StringComparison.OrdinalIgnoreCase)
        && uri.Scheme is "http" or "https";
}

/// <summary>Allowed, or refused with a status (401/403), a metric reason and a message for the caller.</summary>
internal sealed record AuthDecision(bool IsAllowed, int Status, string Reason, string Detail)
{
    public static readonly AuthDecision Allowed = new(true, 200, "", "");

    public static AuthDecision Refuse(int status, string reason, string detail) => new(false, status, reason, detail);
}
