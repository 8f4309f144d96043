namespace NetViz.Web.Graph;

/// <summary>Links from the table pages into the graph.</summary>
public static class GraphLinks
{
    /// <summary>The topology page focused on one element: <c>/?focus=&lt;id&gt;</c>.</summary>
    public static string Focus(string elementId) => "/?focus=" + Uri.EscapeDataString(elementId);
}
