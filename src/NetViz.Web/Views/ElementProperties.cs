using System.Collections;
using System.Globalization;
using NetViz.Core.Model;

namespace NetViz.Web.Views;

/// <summary>One member of a selected element, as the details drawer lists it.</summary>
/// <param name="Name">The member's name in the API (docs/api.md), so the drawer and the JSON say the same thing.</param>
/// <param name="Value">Text for a scalar, a list of texts, or a list of blocks of (name, text) lines.</param>
public sealed record ElementProperty(string Name, PropertyValue Value);

public abstract record PropertyValue;

/// <summary>One value; null when the element has none.</summary>
public sealed record ScalarValue(string? Text) : PropertyValue;

/// <summary>A list of simple values (addresses, subnets, pids).</summary>
public sealed record ListValue(IReadOnlyList<string> Items) : PropertyValue;

/// <summary>A list of small records (routes, network attachments, ports): one block per item, one line per member.</summary>
public sealed record BlocksValue(IReadOnlyList<IReadOnlyList<(string Name, string Text)>> Blocks) : PropertyValue;

/// <summary>
/// The members a node or edge carries in the API, read off the typed record with the contract's own metadata
/// (names and order as <see cref="TopologyJson.Options"/> writes them); node ids are shown as the node's label.
/// </summary>
public static class ElementProperties
{
    public static IReadOnlyList<ElementProperty> Of(object element, Func<string, string?> labelOf)
    {
        var result = new List<ElementProperty>();
        foreach (var (name, value) in Members(element))
        {
            result.Add(new ElementProperty(name, value switch
            {
                string or null or ContainerRef or InterfaceAddress or IFormattable or bool => new ScalarValue(Text(value, labelOf)),
                IEnumerable items when items.Cast<object?>().ToList() is var list && list.All(IsSimple) =>
                    new ListValue([.. list.Select(i => Text(i, labelOf) ?? "")]),
                IEnumerable items => new BlocksValue([.. items.Cast<object>().Select(item =>
                    (IReadOnlyList<(string, string)>)[.. Members(item).Where(m => m.Value is not null).Select(m => (m.Name, Text(m.Value, labelOf) ?? ""))])]),
                _ => new ScalarValue(value.ToString()),
            }));
        }
        return result;
    }

    private static IEnumerable<(string Name, object? Value)> Members(object element)
    {
        foreach (var property in TopologyJson.Options.GetTypeInfo(element.GetType()).Properties)
            if (property.Get is { } get) yield return (property.Name, get(element));
    }

    private static bool IsSimple(object? value) => value is null or string or ContainerRef or InterfaceAddress or IFormattable or bool;

    private static string? Text(object? value, Func<string, string?> labelOf) => value switch
    {
        null => null,
        ContainerRef container => labelOf(container.Id) ?? container.Name,
        string text => labelOf(text) ?? text,
        bool flag => flag ? "true" : "false",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
