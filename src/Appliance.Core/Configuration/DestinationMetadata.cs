using System.Globalization;

namespace Appliance.Core.Configuration;

/// <summary>
/// Our per-backend settings, carried in a YARP destination's <c>Metadata</c> (string values,
/// as YARP requires). Parsed once per configuration load.
/// </summary>
public sealed record DestinationMetadata
{
    public const string WeightKey = "Weight";
    public const string MaxRequestsKey = "MaxRequests";
    public const string StateKey = "State";

    /// <summary>HAProxy's range: 0 takes no new traffic (sticky sessions still honoured), 256 is the most.</summary>
    public const int MaxWeight = 256;

    public static readonly DestinationMetadata Default = new();

    public int Weight { get; init; } = 1;

    /// <summary>Most concurrent requests this node sends to the backend; 0 means no limit.</summary>
    public int MaxRequests { get; init; }

    /// <summary>Admin state the backend starts in.</summary>
    public BackendAdminState InitialState { get; init; } = BackendAdminState.Ready;

    /// <summary>Parses metadata, reporting each bad value under <paramref name="path"/>.</summary>
    public static DestinationMetadata Parse(
        IReadOnlyDictionary<string, string>? metadata, string path, ICollection<ConfigError> errors)
    {
        if (metadata is null)
        {
            return Default;
        }

        var result = Default;
        if (metadata.TryGetValue(WeightKey, out var weightText))
        {
            if (int.TryParse(weightText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var weight)
                && weight is >= 0 and <= MaxWeight)
            {
                result = result with { Weight = weight };
            }
            else
            {
                errors.Add(new($"{path}.Metadata.{WeightKey}",
                    $"'{weightText}' is not a weight: use a whole number from 0 (no new traffic) to {MaxWeight}."));
            }
        }

        if (metadata.TryGetValue(MaxRequestsKey, out var maxText))
        {
            if (int.TryParse(maxText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var max) && max >= 0)
            {
                result = result with { MaxRequests = max };
            }
            else
            {
                errors.Add(new($"{path}.Metadata.{MaxRequestsKey}",
                    $"'{maxText}' is not a request limit: use a whole number, 0 for no limit."));
            }
        }

        if (metadata.TryGetValue(StateKey, out var stateText))
        {
            if (BackendAdminStates.TryParse(stateText, out var state))
            {
                result = result with { InitialState = state };
            }
            else
            {
                errors.Add(new($"{path}.Metadata.{StateKey}",
                    $"'{stateText}' is not a backend state: use ready, drain or maint."));
            }
        }

        return result;
    }
}
