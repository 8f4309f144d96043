namespace NetViz.Core.Model;

/// <summary>
/// Marks a member whose value is a node id (or a list of them): another element of the same snapshot, which the JSON
/// contract writes as that node's id. A reader that re-bases ids (the hub's host prefix) finds every such member from
/// this mark, including inside nested records, so a member added to the model cannot be missed by a hand-kept list.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class NodeReferenceAttribute : Attribute;
