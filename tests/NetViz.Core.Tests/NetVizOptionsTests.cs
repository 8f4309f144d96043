using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace NetViz.Core.Tests;

public sealed class NetVizOptionsTests
{
    private static IHost Build(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create($"NetViz:{s.Key}", (string?)s.Value)));
        builder.Services.AddLogging();
        builder.Services.AddNetVizCore(builder.Configuration);
        return builder.Build();
    }

    [Theory]
    [InlineData("NatPollInterval", "-00:00:01")]
    [InlineData("ResyncInterval", "-00:00:05")]
    [InlineData("ResyncInterval", "00:00:00")]
    public async Task A_zero_or_negative_interval_stops_the_host_at_start_with_a_message_naming_the_setting(string setting, string value)
    {
        using var host = Build((setting, value));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        var message = Assert.Single(error.Failures);
        Assert.StartsWith($"NetViz:{setting} ", message);
        Assert.Contains($"(got {TimeSpan.Parse(value)})", message);
        Assert.Contains("positive duration", message);
    }

    [Fact]
    public void Every_bad_setting_is_reported_at_once()
    {
        var result = new NetVizOptionsValidator().Validate(null, new NetVizOptions
        {
            NatPollInterval = TimeSpan.FromSeconds(-1), CoalesceWindow = TimeSpan.FromMinutes(1), SubscriberBufferSize = 1, IptablesSavePath = " ",
        });
        Assert.True(result.Failed);
        Assert.Equal(["NatPollInterval", "CoalesceWindow", "SubscriberBufferSize", "IptablesSavePath"],
            result.Failures!.Select(f => f.Split(' ')[0]["NetViz:".Length..]));
    }

    [Fact]
    public void The_shipped_defaults_are_valid()
    {
        Assert.True(new NetVizOptionsValidator().Validate(null, new NetVizOptions()).Succeeded);
    }
}
