namespace Appliance.Core.Configuration;

/// <summary>What the consistent-hash policy may hash (<see cref="HashKeyOptions.Source"/>); compared case-insensitively.</summary>
public static class HashKeySources
{
    /// <summary>The request path and query string (the default).</summary>
    public const string PathAndQuery = "PathAndQuery";

    /// <summary>The value of the request header named by <see cref="HashKeyOptions.Name"/>.</summary>
    public const string Header = "Header";

    /// <summary>The value of the cookie named by <see cref="HashKeyOptions.Name"/>.</summary>
    public const string Cookie = "Cookie";

    /// <summary>The client address (after trusted X-Forwarded-For processing).</summary>
    public const string ClientIp = "ClientIp";

    /// <summary>Every accepted source.</summary>
    public static IReadOnlyList<string> All { get; } = [PathAndQuery, Header, Cookie, ClientIp];

    /// <summary>True for the sources that need a header or cookie name.</summary>
    public static bool NeedsName(string source) =>
        string.Equals(source, Header, StringComparison.OrdinalIgnoreCase)
        || string.Equals(source, Cookie, StringComparison.OrdinalIgnoreCase);
}
