using NetViz.Core.Privileges;

namespace NetViz.Core.Tests.Privileges;

public class LinuxCapabilitiesTests
{
    [Fact]
    public void Status_text_is_parsed_into_the_five_sets()
    {
        var sets = CapabilitySets.Parse("Name:\tdotnet\nCapInh:\t0000000000000000\nCapPrm:\t0000000000283000\nCapEff:\t0000000000283000\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\n");
        Assert.Equal(new CapabilitySets(0, 0x283000, 0x283000, 0x1fffeffffff, 0), sets);
    }

    [Fact]
    public void The_needed_set_is_the_four_documented_capabilities()
    {
        Assert.Equal(0x283000UL, LinuxCapabilities.Mask(LinuxCapabilities.Needed));
        Assert.Equal("NET_ADMIN,NET_RAW,SYS_PTRACE,SYS_ADMIN", LinuxCapabilities.Describe(0x283000));
        Assert.Equal("none", LinuxCapabilities.Describe(0));
    }

    [Fact]
    public void Another_user_also_needs_to_search_dockers_root_only_folder()
    {
        Assert.Equal(0x283000UL, LinuxCapabilities.Mask(LinuxCapabilities.NeededBy(isRoot: true)));
        Assert.Equal("DAC_READ_SEARCH,NET_ADMIN,NET_RAW,SYS_PTRACE,SYS_ADMIN", LinuxCapabilities.Describe(LinuxCapabilities.Mask(LinuxCapabilities.NeededBy(isRoot: false))));
    }

    [Fact]
    public void This_threads_sets_read_from_proc_match_the_process_status()
    {
        var thread = CapabilitySets.OfThisThread();
        var process = CapabilitySets.Parse(File.ReadAllText("/proc/self/status"));
        Assert.Equal(process.Bounding, thread.Bounding);
        Assert.NotEqual(0UL, thread.Bounding);
    }
}
