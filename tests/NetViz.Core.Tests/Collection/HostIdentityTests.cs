using NetViz.Core.Collection;
using NetViz.Core.Correlation;
using NetViz.Core.Tests.Correlation;

namespace NetViz.Core.Tests.Collection;

public sealed class HostIdentityTests
{
    [Theory]
    [InlineData("3d1219c7c4c5404aaa1f6d2a48adfda4\n", "3d1219c7c4c5404aaa1f6d2a48adfda4")]
    [InlineData("3D1219C7C4C5404AAA1F6D2A48ADFDA4", "3d1219c7c4c5404aaa1f6d2a48adfda4")]
    [InlineData("uninitialized\n", null)] // systemd's first-boot placeholder
    [InlineData("3d1219c7c4c5404aaa1f6d2a48adfda", null)]
    [InlineData("3d1219c7c4c5404aaa1f6d2a48adfda4x", null)]
    [InlineData("zz1219c7c4c5404aaa1f6d2a48adfda4", null)]
    [InlineData("", null)]
    public void Only_32_hex_digits_are_a_machine_id(string text, string? expected) =>
        Assert.Equal(expected, HostIdentity.Parse(text));

    [Fact]
    public void A_missing_or_oversized_file_gives_no_id()
    {
        var dir = Directory.CreateTempSubdirectory("nvhost-");
        try
        {
            Assert.Null(HostIdentity.ReadMachineId(Path.Combine(dir.FullName, "absent")));
            var big = Path.Combine(dir.FullName, "big");
            File.WriteAllText(big, new string('a', 10_000));
            Assert.Null(HostIdentity.ReadMachineId(big));
            var good = Path.Combine(dir.FullName, "machine-id");
            File.WriteAllText(good, "0123456789abcdef0123456789abcdef\n");
            Assert.Equal("0123456789abcdef0123456789abcdef", HostIdentity.ReadMachineId(good));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void The_snapshot_names_the_host_by_hostname_and_machine_id()
    {
        var snapshot = TopologyBuilder.Build(LessonTopology.Readings() with { MachineId = "0123456789abcdef0123456789abcdef" });
        Assert.Equal("0123456789abcdef0123456789abcdef", snapshot.Host.MachineId);
        var json = System.Text.Json.JsonSerializer.Serialize(snapshot, NetViz.Core.Model.TopologyJson.Options);
        Assert.Contains("\"machineId\":\"0123456789abcdef0123456789abcdef\"", json);
    }
}
