using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Appliance.Management.Contracts;

namespace Appliance.Tests.Support;

/// <summary>Reads admin API answers in the shared contracts, failing with the body when the status is not the expected one.</summary>
internal static class ApiAssert
{
    public static async Task<T> OkAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonSerializer.Deserialize(body, type)!;
    }

    /// <summary>Asserts an RFC 7807 answer with <paramref name="status"/> and returns it.</summary>
    public static async Task<Problem> ProblemAsync(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize(body, AdminJson.Context.Problem)!;
        Assert.Equal(status, problem.Status);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail), "a problem must say what is wrong: " + body);
        return problem;
    }

    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
