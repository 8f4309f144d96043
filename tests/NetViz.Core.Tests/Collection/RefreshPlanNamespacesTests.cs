using System.Collections.Immutable;
using NetViz.Core.Collection;
using NetViz.Core.Sources;

namespace NetViz.Core.Tests.Collection;

public sealed class RefreshPlanNamespacesTests
{
    [Fact]
    public void A_network_connect_or_disconnect_re_reads_the_container_namespace_without_a_full_docker_read()
    {
        foreach (var action in new[] { "connect", "disconnect" })
        {
            var e = new DockerEvent("network", action, "net1", ImmutableDictionary<string, string>.Empty.Add("container", "c1"));
            var plan = RefreshPlan.ForDockerEvent(e)!;
            Assert.False(plan.DockerFull);
            Assert.Equal(["c1"], plan.Containers);
            Assert.Equal(["c1"], plan.ContainerNamespaces);
        }
        var start = RefreshPlan.ForDockerEvent(new DockerEvent("container", "start", "c2", ImmutableDictionary<string, string>.Empty))!;
        Assert.Empty(start.ContainerNamespaces);
    }

    [Fact]
    public void Namespaces_merge_and_only_a_pure_resync_is_audited()
    {
        var plan = RefreshPlan.ForNamespaces([1, 2], ChangeCause.Said("a"));
        plan = plan.Merge(RefreshPlan.ForNamespaces([2, 3], ChangeCause.Said("b")));
        Assert.Equal(new ulong[] { 1, 2, 3 }, plan.Namespaces.Order());
        Assert.False(plan.Audit);

        var resync = RefreshPlan.ForResync();
        Assert.True(resync.Audit && resync.Full);
        resync = resync.Merge(RefreshPlan.ForResync());
        Assert.True(resync.Audit);
        resync = resync.Merge(RefreshPlan.ForNamespaces([9], ChangeCause.Said("an event in the same window")));
        Assert.False(resync.Audit);
    }
}
