using System.Collections.Immutable;
using System.Text.Json;
using NetViz.Core.Model;

namespace NetViz.Core.Tests.Model;

public class EquatableArrayTests
{
    private static InterfaceNode Eth0(params string[] addresses) => new()
    {
        Id = "if:1:5", Label = "eth0", Name = "eth0", Ifindex = 5, Type = "veth", NetnsInode = 1,
        Addresses = [.. addresses.Select(a => new InterfaceAddress { Address = a, PrefixLength = 16 })],
    };

    [Fact]
    public void Records_holding_equal_items_in_distinct_arrays_are_equal()
    {
        var a = Eth0("172.17.0.2", "172.17.0.3");
        var b = Eth0("172.17.0.2", "172.17.0.3");
        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        // What EquatableArray is for: the same record over ImmutableArray compares the arrays by reference.
        Assert.NotEqual(ImmutableArray.Create(1, 2), ImmutableArray.Create(1, 2));
        Assert.Equal(new EquatableArray<int>(ImmutableArray.Create(1, 2)), new EquatableArray<int>(ImmutableArray.Create(1, 2)));
    }

    [Fact]
    public void A_different_item_or_order_or_length_makes_records_differ()
    {
        var a = Eth0("172.17.0.2", "172.17.0.3");
        Assert.NotEqual(a, Eth0("172.17.0.2", "172.17.0.4"));
        Assert.NotEqual(a, Eth0("172.17.0.3", "172.17.0.2"));
        Assert.NotEqual(a, Eth0("172.17.0.2"));
    }

    [Fact]
    public void A_default_instance_is_empty_and_equals_an_empty_one()
    {
        EquatableArray<string> none = default;
        Assert.Empty(none);
        Assert.True(none.IsEmpty);
        Assert.Equal(none, []);
        Assert.Equal("[]", JsonSerializer.Serialize(none));
    }

    [Fact]
    public void It_is_written_as_a_json_array() =>
        Assert.Equal("[\"a\",\"b\"]", JsonSerializer.Serialize<EquatableArray<string>>(["a", "b"], TopologyJson.Options));
}
