namespace Appliance.Management.Contracts;

/// <summary>
/// <c>GET /api/v1/traffic[?seconds=N]</c>: requests per second per backend, one point per
/// <paramref name="IntervalSeconds"/>, oldest first, the last point ending at <paramref name="End"/>.
/// </summary>
public sealed record TrafficResponse(int IntervalSeconds, DateTimeOffset End, IReadOnlyList<TrafficSeries> Series);

/// <summary>One backend's recent request rate (answers per second) and error rate.</summary>
public sealed record TrafficSeries(string Cluster, string Backend, IReadOnlyList<double> RequestsPerSecond, IReadOnlyList<double> ErrorsPerSecond);
