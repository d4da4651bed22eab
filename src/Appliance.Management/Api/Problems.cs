using Appliance.Management.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Appliance.Management.Api;

/// <summary>RFC 7807 answers: every error the admin API gives is one of these, with a message saying what to do.</summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    public static IResult Result(HttpContext context, int status, string detail, IReadOnlyList<ConfigProblem>? errors = null) =>
        TypedResults.Json(Create(context, status, detail, errors), AdminJson.Context.Problem, ContentType, status);

    public static Task WriteAsync(HttpContext context, int status, string detail, IReadOnlyList<ConfigProblem>? errors = null)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(Create(context, status, detail, errors), AdminJson.Context.Problem, ContentType);
    }

    private static Problem Create(HttpContext context, int status, string detail, IReadOnlyList<ConfigProblem>? errors) =>
        new("about:blank", ReasonPhrases.GetReasonPhrase(status), status, detail, context.Request.Path.Value, errors);
}
