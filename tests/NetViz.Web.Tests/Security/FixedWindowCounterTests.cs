using Microsoft.Extensions.Time.Testing;
using NetViz.Web.Security;

namespace NetViz.Web.Tests.Security;

public sealed class FixedWindowCounterTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-29T12:00:00Z"));

    [Fact]
    public void A_key_gets_its_permits_per_window_others_are_not_touched_and_the_next_window_starts_afresh()
    {
        var counter = new FixedWindowCounter(3, TimeSpan.FromMinutes(1), _time);

        Assert.All(Enumerable.Range(0, 3), _ => Assert.True(counter.TryAcquire("127.0.0.2")));
        Assert.True(counter.IsExhausted("127.0.0.2"));
        Assert.False(counter.TryAcquire("127.0.0.2"));
        Assert.False(counter.IsExhausted("127.0.0.1"));
        Assert.True(counter.TryAcquire("127.0.0.1"));

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(counter.TryAcquire("127.0.0.2")); // the window started at the first permit, a minute ago less a second
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(counter.IsExhausted("127.0.0.2"));
        Assert.True(counter.TryAcquire("127.0.0.2"));
    }

    [Fact]
    public void Failed_logins_block_an_address_after_ten_and_only_that_address()
    {
        var limiter = new FailedLoginLimiter(_time);
        var attacker = System.Net.IPAddress.Parse("127.0.0.2");
        for (var i = 0; i < FailedLoginLimiter.PermitsPerWindow; i++)
        {
            Assert.False(limiter.IsBlocked(attacker));
            limiter.RecordFailure(attacker);
        }
        Assert.True(limiter.IsBlocked(attacker));
        Assert.False(limiter.IsBlocked(System.Net.IPAddress.Loopback));
        _time.Advance(FailedLoginLimiter.Window);
        Assert.False(limiter.IsBlocked(attacker));
    }

    [Fact]
    public void Remembered_keys_are_bounded()
    {
        var counter = new FixedWindowCounter(1, TimeSpan.FromMinutes(1), _time);
        for (var i = 0; i < FixedWindowCounter.MaxKeys; i++) counter.TryAcquire($"k{i}");
        Assert.True(counter.IsExhausted("k0"));

        // One more key while every window is live: the old ones are forgotten rather than kept without bound.
        Assert.True(counter.TryAcquire("one-too-many"));
        Assert.False(counter.IsExhausted("k0"));
    }
}
