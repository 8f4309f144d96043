using Microsoft.Extensions.Time.Testing;
using NetViz.Core.Collection;
using NetViz.Core.Live;
using NetViz.Core.Sources;

namespace NetViz.Core.Tests.Live;

public sealed class RefreshCoalescerTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(30);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Triggers_within_the_window_after_the_first_become_one_plan_and_later_ones_the_next()
    {
        var coalescer = new RefreshCoalescer(Window, _time);
        coalescer.Request(RefreshPlan.ForContainer("c0", ChangeCause.Said("start c0")));
        var next = coalescer.NextAsync(withoutWindow: false, CancellationToken.None);
        for (var i = 1; i < 50; i++) coalescer.Request(RefreshPlan.ForContainer($"c{i}", ChangeCause.Said($"start c{i}")));
        coalescer.Request(RefreshPlan.ForNat(ChangeCause.Said("poll")));
        Assert.False(next.IsCompleted);

        _time.Advance(Window - TimeSpan.FromMilliseconds(1));
        Assert.False(next.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var plan = await next.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(50, plan.Containers.Count);
        Assert.True(plan.Nat && plan.HostNamespace && !plan.Full && !plan.DockerFull);
        Assert.Equal(20, plan.Reasons.Length); // bounded for the log

        coalescer.Request(RefreshPlan.ForSweep(ChangeCause.Said("later")));
        var after = coalescer.NextAsync(withoutWindow: false, CancellationToken.None);
        Assert.False(after.IsCompleted);
        _time.Advance(Window);
        Assert.Equal("later", Assert.Single((await after.WaitAsync(TimeSpan.FromSeconds(20))).Reasons).Text);
    }

    [Fact]
    public async Task The_window_counts_from_the_first_trigger_not_from_when_the_loop_gets_to_it()
    {
        var coalescer = new RefreshCoalescer(Window, _time);
        coalescer.Request(RefreshPlan.ForHostNamespace(ChangeCause.Said("netlink")));
        _time.Advance(Window);
        coalescer.Request(RefreshPlan.ForSweep(ChangeCause.Said("namespace file")));

        // The loop was busy for the whole window: it takes both at once without waiting again.
        var plan = await coalescer.NextAsync(withoutWindow: false, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(plan.HostNamespace && plan.Sweep);
    }

    [Fact]
    public async Task A_later_request_arrives_only_when_its_time_has_come()
    {
        var coalescer = new RefreshCoalescer(TimeSpan.Zero, _time);
        coalescer.RequestLater(RefreshPlan.ForSweep(ChangeCause.Said("settle")), TimeSpan.FromSeconds(1), CancellationToken.None);
        var next = coalescer.NextAsync(withoutWindow: false, CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(next.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("settle", Assert.Single((await next.WaitAsync(TimeSpan.FromSeconds(20))).Reasons).Text);
    }
}
