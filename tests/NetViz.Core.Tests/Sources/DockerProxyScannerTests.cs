using NetViz.Core.Sources.Processes;

namespace NetViz.Core.Tests.Sources;

public class DockerProxyScannerTests
{
    [Fact]
    public void A_docker_20_10_command_line_says_what_it_forwards()
    {
        // /proc/PID/cmdline of the proxy for `-p 127.0.0.1:8080:80` on Docker 20.10, split at NUL.
        var proxy = DockerProxyScanner.Parse(4242, ["/usr/bin/docker-proxy", "-proto", "tcp", "-host-ip", "127.0.0.1", "-host-port", "8080",
            "-container-ip", "172.17.0.2", "-container-port", "80"]);
        Assert.Equal(new DockerProxy(4242, "tcp", "127.0.0.1", 8080, "172.17.0.2", 80, false), proxy);
    }

    [Theory]
    [InlineData("/usr/bin/docker-proxy", "-proto", "icmp", "-host-ip", "0.0.0.0", "-host-port", "1")]
    [InlineData("/usr/bin/docker-proxy", "-proto", "tcp", "-host-ip", "0.0.0.0", "-host-port", "x")]
    [InlineData("/usr/bin/docker-proxy", "-proto", "tcp", "-host-port", "80", "-x", "y")]
    public void Anything_else_is_not_a_proxy(params string[] argv) => Assert.Null(DockerProxyScanner.Parse(1, argv));
}
