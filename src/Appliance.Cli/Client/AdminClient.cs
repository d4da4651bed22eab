using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Appliance.Management.Contracts;

namespace Appliance.Cli.Client;

/// <summary>A small HTTP client for one node's admin API. The token, when given, is sent and never printed.</summary>
internal sealed class AdminClient : IDisposable
{
    private readonly HttpClient _http;

    public AdminClient(Uri node, string? token, TimeSpan? timeout = null)
    {
        Node = node;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), UseProxy = false })
        {
            BaseAddress = node,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("appliancectl", "1"));
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri Node { get; }

    public Task<ApiResult<T>> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancel)
        where T : class => SendAsync(HttpMethod.Get, path, null, type, cancel);

    public Task<ApiResult<T>> PostJsonAsync<T, TBody>(HttpMethod method, string path, TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<T> type, CancellationToken cancel)
        where T : class =>
        SendAsync(method, path, new StringContent(JsonSerializer.Serialize(body, bodyType), Encoding.UTF8, "application/json"), type, cancel);

    public async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, HttpContent? body, JsonTypeInfo<T> type, CancellationToken cancel)
        where T : class
    {
        using var request = new HttpRequestMessage(method, new Uri(path.TrimStart('/'), UriKind.Relative)) { Content = body };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancel).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            return Unreachable<T>(Reason(e));
        }
        catch (TaskCanceledException) when (!cancel.IsCancellationRequested)
        {
            return Unreachable<T>($"no answer within {_http.Timeout.TotalSeconds:0} s");
        }

        using (response)
        {
            var raw = await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
            if (!mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
            {
                return Unreachable<T>($"it answered {status} with {(mediaType.Length == 0 ? "no content type" : mediaType)}, not the admin API's JSON; is this the node's admin address (Admin.Address) rather than a client listener?");
            }

            try
            {
                if (response.IsSuccessStatusCode)
                {
                    return new ApiResult<T>(status, JsonSerializer.Deserialize(raw, type), null, raw, null);
                }

                // A 4xx/5xx is a problem document, except where the API answers with the result shape itself.
                var problem = mediaType.Contains("problem", StringComparison.OrdinalIgnoreCase)
                    ? JsonSerializer.Deserialize(raw, AdminJson.Context.Problem)
                    : null;
                return new ApiResult<T>(status, null, problem ?? new Problem(null, response.ReasonPhrase, status, $"the node answered {status} {response.ReasonPhrase}.", path, null), raw, null);
            }
            catch (JsonException e)
            {
                return Unreachable<T>($"it answered {status} with JSON this appliancectl does not understand ({e.Message}); are the node and appliancectl the same version?");
            }
        }
    }

    private static ApiResult<T> Unreachable<T>(string reason)
        where T : class => new(0, null, null, "", reason);

    private static string Reason(HttpRequestException e) => e.InnerException switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData } => "unknown host",
        SocketException s => s.Message,
        _ when e.HttpRequestError == HttpRequestError.ConnectionError => "connection failed",
        _ when e.StatusCode is HttpStatusCode status => $"HTTP {(int)status}",
        _ => e.Message,
    };

    public void Dispose() => _http.Dispose();
}
