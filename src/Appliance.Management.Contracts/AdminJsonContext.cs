using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Management.Contracts;

/// <summary>
/// Source-generated JSON for every contract, camelCase, as both the server writes and the CLI reads.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = false)]
[JsonSerializable(typeof(NodeStatus))]
[JsonSerializable(typeof(MembersResponse))]
[JsonSerializable(typeof(VipsResponse))]
[JsonSerializable(typeof(ReplicationResponse))]
[JsonSerializable(typeof(VipMoveRequest))]
[JsonSerializable(typeof(VipMoveResult))]
[JsonSerializable(typeof(BackendsResponse))]
[JsonSerializable(typeof(BackendInfo))]
[JsonSerializable(typeof(WeightRequest))]
[JsonSerializable(typeof(BackendActionResult))]
[JsonSerializable(typeof(SessionInfo))]
[JsonSerializable(typeof(ValidationResult))]
[JsonSerializable(typeof(ReloadResult))]
[JsonSerializable(typeof(TrafficResponse))]
[JsonSerializable(typeof(Problem))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
