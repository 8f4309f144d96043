using System.Net;
using k8s;
using NetViz.Core.Hub;

namespace NetViz.Core.Tests.Hub;

/// <summary>The discovery against a recorded API answer (GET /api/v1/namespaces/netviz/pods?labelSelector=...), through the real client.</summary>
public sealed class KubernetesAgentDiscoveryTests
{
    private static readonly string Recorded = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kubernetes", "agent-pods.json"));

    /// <summary>Answers every request with the recording, and remembers what was asked.</summary>
    private sealed class RecordedApi : DelegatingHandler
    {
        public List<Uri> Requests { get; } = [];
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                RequestMessage = request,
                Content = new StringContent(Recorded, System.Text.Encoding.UTF8, "application/json"),
            });
        }
    }

    [Fact]
    public async Task Running_agent_pods_become_agents_named_after_their_node_at_the_pod_ip()
    {
        var api = new RecordedApi();
        var options = new KubernetesDiscoveryOptions
        {
            AgentSelector = "app.kubernetes.io/name=netviz,app.kubernetes.io/component=agent", AgentPort = 5001, AgentToken = "0123456789abcdef0123",
        };
        var discovery = new KubernetesAgentDiscovery(options, new Kubernetes(new KubernetesClientConfiguration { Host = "https://10.96.0.1" }, api), "netviz");

        var agents = await discovery.ListAsync(CancellationToken.None);

        var request = Assert.Single(api.Requests);
        Assert.Equal("/api/v1/namespaces/netviz/pods", request.AbsolutePath);
        Assert.Contains("labelSelector=app.kubernetes.io%2Fname%3Dnetviz%2Capp.kubernetes.io%2Fcomponent%3Dagent", request.Query);
        // Running and not being deleted: worker-3's terminating pod and worker-4's pending one are left out.
        Assert.Equal(["worker-1", "worker-2.example"], agents.Select(a => a.Name));
        Assert.Equal(["http://10.0.0.11:5001/", "http://[fd00:10::12]:5001/"], agents.Select(a => a.Url));
        Assert.All(agents, a => Assert.Equal("0123456789abcdef0123", a.Token));
        // What discovery names passes the same checks as a configured list.
        Assert.True(new HubOptionsValidator().Validate(null, new HubOptions { Agents = [.. agents] }).Succeeded);
    }
}
