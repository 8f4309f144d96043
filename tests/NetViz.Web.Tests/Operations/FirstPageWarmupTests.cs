using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using NetViz.Web.Operations;

namespace NetViz.Web.Tests.Operations;

public sealed class FirstPageWarmupTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/")]
    [InlineData("http://localhost:5000", "http://127.0.0.1:5000/")]
    [InlineData("http://0.0.0.0:8080", "http://127.0.0.1:8080/")]
    [InlineData("http://*:8080", "http://127.0.0.1:8080/")]
    [InlineData("http://[::]:8080", "http://[::1]:8080/")]
    [InlineData("http://[::1]:5001", "http://[::1]:5001/")]
    [InlineData("http://127.0.0.2:5002", "http://127.0.0.2:5002/")]
    public void The_page_is_asked_for_over_loopback(string listening, string asked) =>
        Assert.Equal(new Uri(asked), FirstPageWarmup.PageUrl([listening]));

    [Theory]
    [InlineData("http://192.0.2.10:5000")] // another machine could be on the way: never asked
    [InlineData("https://127.0.0.1:5001")]
    [InlineData("http://unix:/run/netviz.sock")]
    [InlineData("not a url")]
    public void Nothing_is_asked_where_no_plain_loopback_address_is_listened_on(string listening) =>
        Assert.Null(FirstPageWarmup.PageUrl([listening]));

    [Fact]
    public void The_first_usable_address_is_the_one_asked() =>
        Assert.Equal(new Uri("http://127.0.0.1:5003/"), FirstPageWarmup.PageUrl(["https://127.0.0.1:5001", "http://192.0.2.10:5002", "http://0.0.0.0:5003"]));

    [Fact]
    public async Task Once_started_it_gets_the_page_once_and_asks_nothing_when_turned_off()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        // Turned off: it ends without a request.
        using (var off = Warmup(port, enabled: false, out var offStarted))
        {
            await off.StartAsync(CancellationToken.None);
            offStarted.Cancel();
            await off.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(listener.Pending());
        }

        using var warmup = Warmup(port, enabled: true, out var started);
        await warmup.StartAsync(CancellationToken.None);
        Assert.False(listener.Pending()); // not before the application has started
        started.Cancel();
        using var client = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(30));
        using var stream = client.GetStream();
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer);
        var request = Encoding.ASCII.GetString(buffer, 0, read);
        Assert.StartsWith("GET / HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains($"Host: 127.0.0.1:{port}\r\n", request, StringComparison.Ordinal);
        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray());
        await warmup.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(listener.Pending()); // once
    }

    private static FirstPageWarmup Warmup(int port, bool enabled, out CancellationTokenSource started)
    {
        started = new CancellationTokenSource();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NetViz:WarmFirstPage"] = enabled ? "true" : "false",
        }).Build();
        return new FirstPageWarmup(new Lifetime(started.Token), new Server($"http://127.0.0.1:{port}"), configuration, NullLogger<FirstPageWarmup>.Instance);
    }

    private sealed class Lifetime(CancellationToken started) : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted { get; } = started;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() { }
    }

    private sealed class Server : IServer
    {
        public Server(string address)
        {
            var addresses = new ServerAddressesFeature();
            addresses.Addresses.Add(address);
            Features.Set<IServerAddressesFeature>(addresses);
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();
        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public void Dispose() { }
    }
}
