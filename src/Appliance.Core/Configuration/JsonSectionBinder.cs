using System.Reflection;
using System.Text.Json;

namespace Appliance.Core.Configuration;

/// <summary>
/// Binds JSON onto our configuration records, property by property, so one bad value does not
/// hide the others: each problem becomes a <see cref="ConfigError"/> at its path and the property
/// keeps its default. Unknown keys are errors (with a spelling suggestion), because a silently
/// ignored typo leaves a setting at its default without anyone noticing.
/// </summary>
internal sealed class JsonSectionBinder(ICollection<ConfigError> errors)
{
    private readonly NullabilityInfoContext _nullability = new();
    private readonly Dictionary<Type, Dictionary<string, PropertyInfo>> _properties = [];

    /// <summary>Paths whose value could not be bound; checks on the defaults left there would only mislead.</summary>
    public List<string> FailedPaths { get; } = [];

    /// <summary>The settable public properties of <paramref name="type"/>, by case-insensitive name.</summary>
    public IReadOnlyDictionary<string, PropertyInfo> PropertiesOf(Type type)
    {
        if (!_properties.TryGetValue(type, out var map))
        {
            map = new Dictionary<string, PropertyInfo>(StringComparer.OrdinalIgnoreCase);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.SetMethod is { IsPublic: true } && property.GetIndexParameters().Length == 0)
                {
                    map[property.Name] = property;
                }
            }

            _properties[type] = map;
        }

        return map;
    }

    /// <summary>Binds <paramref name="value"/> to <paramref name="property"/> of <paramref name="target"/>, keeping the default on failure.</summary>
    public void BindProperty(object target, PropertyInfo property, JsonElement value, string path)
    {
        if (TryBind(value, property.PropertyType, _nullability.Create(property), path, out var result))
        {
            property.SetValue(target, result);
        }
    }

    /// <summary>A new <paramref name="type"/> with every key of <paramref name="json"/> bound onto it.</summary>
    public object BindObject(JsonElement json, Type type, string path)
    {
        var target = Activator.CreateInstance(type)!;
        var properties = PropertiesOf(type);
        foreach (var member in json.EnumerateObject())
        {
            if (properties.TryGetValue(member.Name, out var property))
            {
                BindProperty(target, property, member.Value, JsonPaths.Property(path, property.Name));
            }
            else
            {
                var known = properties.Keys.Order(StringComparer.Ordinal).ToList();
                errors.Add(new(JsonPaths.Property(path, member.Name),
                    $"'{member.Name}' is not a known setting here.{NameSuggestions.Hint(member.Name, known)} "
                    + $"Correct the spelling or remove it; the settings here are: {string.Join(", ", known)}."));
            }
        }

        return target;
    }

    private bool TryBind(JsonElement value, Type type, NullabilityInfo? nullability, string path, out object? result)
    {
        result = null;
        var underlying = Nullable.GetUnderlyingType(type);
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (underlying is not null || nullability?.ReadState == NullabilityState.Nullable)
            {
                return true;
            }

            return Fail(path, "null is not allowed here: give a value, or remove the key to use the default.");
        }

        type = underlying ?? type;
        string? error = null;
        if (type == typeof(string))
        {
            result = JsonScalars.ReadString(value, out error);
        }
        else if (type == typeof(int))
        {
            result = JsonScalars.ReadInt(value, out error);
        }
        else if (type == typeof(double))
        {
            result = JsonScalars.ReadDouble(value, out error);
        }
        else if (type == typeof(bool))
        {
            result = JsonScalars.ReadBool(value, out error);
        }
        else if (type == typeof(TimeSpan))
        {
            result = JsonScalars.ReadTimeSpan(value, out error);
        }
        else if (type.IsEnum)
        {
            result = ReadEnum(value, type, out error);
        }
        else if (ElementTypeOfList(type) is { } elementType)
        {
            return TryBindList(value, elementType, nullability?.GenericTypeArguments.FirstOrDefault(), path, out result);
        }
        else if (ValueTypeOfDictionary(type) is { } valueType)
        {
            return TryBindDictionary(value, valueType, nullability?.GenericTypeArguments.LastOrDefault(), path, out result);
        }
        else if (value.ValueKind == JsonValueKind.Object)
        {
            result = BindObject(value, type, path);
        }
        else
        {
            error = $"expected an object ({{ ... }}), found {JsonPaths.Describe(value)}.";
        }

        return error is null || Fail(path, error);
    }

    private bool TryBindList(JsonElement value, Type elementType, NullabilityInfo? elementNullability, string path, out object? result)
    {
        result = null;
        if (value.ValueKind != JsonValueKind.Array)
        {
            return Fail(path, $"expected a list ([ ... ]), found {JsonPaths.Describe(value)}.");
        }

        var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            // A bad element keeps its slot (as a default) so later elements keep the index the file shows.
            list.Add(TryBind(item, elementType, elementNullability, JsonPaths.Index(path, index), out var element)
                ? element
                : DefaultOf(elementType));
            index++;
        }

        result = list;
        return true;
    }

    private bool TryBindDictionary(JsonElement value, Type valueType, NullabilityInfo? valueNullability, string path, out object? result)
    {
        result = null;
        if (value.ValueKind != JsonValueKind.Object)
        {
            return Fail(path, $"expected an object keyed by id ({{ \"id\": {{ ... }} }}), found {JsonPaths.Describe(value)}.");
        }

        var dictionaryType = typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType);
        // Ids compare case-insensitively, as YARP's route and cluster ids do.
        var dictionary = (System.Collections.IDictionary)Activator.CreateInstance(dictionaryType, StringComparer.OrdinalIgnoreCase)!;
        foreach (var member in value.EnumerateObject())
        {
            if (TryBind(member.Value, valueType, valueNullability, JsonPaths.Property(path, member.Name), out var item))
            {
                dictionary[member.Name] = item;
            }
        }

        result = dictionary;
        return true;
    }

    private static object? ReadEnum(JsonElement value, Type type, out string? error)
    {
        error = null;
        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (text is not null && !text.Any(char.IsAsciiDigit) && Enum.TryParse(type, text, ignoreCase: true, out var parsed))
        {
            return parsed;
        }

        error = $"expected one of {string.Join(", ", Enum.GetNames(type))}, found {JsonPaths.Describe(value)}.";
        return null;
    }

    private static Type? ElementTypeOfList(Type type)
    {
        if (type.IsArray)
        {
            return null;
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(IReadOnlyList<>) || definition == typeof(IList<>) || definition == typeof(List<>)
                || definition == typeof(IReadOnlyCollection<>) || definition == typeof(IEnumerable<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private static Type? ValueTypeOfDictionary(Type type)
    {
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        var arguments = type.GetGenericArguments();
        return (definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(IDictionary<,>)
                || definition == typeof(Dictionary<,>)) && arguments[0] == typeof(string)
            ? arguments[1]
            : null;
    }

    private static object? DefaultOf(Type type) =>
        type == typeof(string) ? ""
        : type.IsValueType || type.GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance(type)
        : null;

    private bool Fail(string path, string message)
    {
        errors.Add(new(path, message));
        FailedPaths.Add(path);
        return false;
    }
}
