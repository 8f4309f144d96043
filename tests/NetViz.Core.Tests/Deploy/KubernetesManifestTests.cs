using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace NetViz.Core.Tests.Deploy;

/// <summary>
/// deploy/kubernetes/ loaded with the official client's models, as the API server would read it, and deploy/compose/
/// as YAML: the agent gets exactly the capabilities the systemd unit grants, the host's PID and network namespaces and
/// only read-only mounts; the selectors find what they are meant to find.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Deploy = FindDeploy();

    private static string FindDeploy()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NetViz.sln"))) return Path.Combine(dir.FullName, "deploy");
        throw new DirectoryNotFoundException("NetViz.sln not found above " + AppContext.BaseDirectory);
    }

    private static List<object> All() => [.. Directory.GetFiles(Path.Combine(Deploy, "kubernetes"), "*.yaml")
        .Where(f => Path.GetFileName(f) != "kustomization.yaml")
        .SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f)))];

    private static T One<T>() => Assert.Single(All().OfType<T>());

    /// <summary>The capabilities deploy/systemd/netviz.service bounds the service to, without the CAP_ prefix.</summary>
    private static string[] SystemdCapabilities() => [.. File.ReadLines(Path.Combine(Deploy, "systemd", "netviz.service"))
        .Single(l => l.StartsWith("CapabilityBoundingSet=", StringComparison.Ordinal))["CapabilityBoundingSet=".Length..]
        .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => c["CAP_".Length..]).Order()];

    private static bool Selects(IDictionary<string, string> selector, IDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    [Fact]
    public void The_agent_sees_the_host_with_only_the_capabilities_netviz_uses_and_only_read_only_mounts()
    {
        var agent = One<V1DaemonSet>();
        var pod = agent.Spec.Template.Spec;
        Assert.True(pod.HostPID);
        Assert.True(pod.HostNetwork);
        var container = Assert.Single(pod.Containers);
        var security = container.SecurityContext;
        Assert.Equal(["ALL"], security.Capabilities.Drop);
        Assert.Equal(SystemdCapabilities(), security.Capabilities.Add.Order());
        Assert.NotEqual(true, security.Privileged);
        Assert.True(security.RunAsNonRoot);
        Assert.True(security.ReadOnlyRootFilesystem);

        // Every host folder is mounted read-only; the runtime socket's folder and both namespace folders are there.
        var hostPaths = pod.Volumes.Where(v => v.HostPath is not null).ToDictionary(v => v.Name, v => v.HostPath.Path);
        Assert.Equal(["/var/run", "/var/run/docker/netns", "/var/run/netns"], hostPaths.Values.Order());
        Assert.All(container.VolumeMounts.Where(m => hostPaths.ContainsKey(m.Name)), m => Assert.True(m.ReadOnlyProperty, m.Name));
        Assert.Equal(hostPaths.Count, container.VolumeMounts.Count(m => hostPaths.ContainsKey(m.Name)));
        Assert.Contains(container.Env, e => e.Name == "NetViz__DockerHost" && e.Value == "unix:///host/var/run/docker.sock");
        Assert.Equal("/host/var/run", container.VolumeMounts.Single(m => hostPaths.GetValueOrDefault(m.Name) == "/var/run").MountPath);

        Assert.Contains(container.Env, e => e.Name == "NetViz__Mode" && e.Value == "Agent");
        Assert.Equal("netviz-agent-token", container.Env.Single(e => e.Name == "NetViz__AuthToken").ValueFrom.SecretKeyRef.Name);
        foreach (var resources in new[] { container.Resources.Requests, container.Resources.Limits })
            Assert.Equal(["cpu", "memory"], resources.Keys.Order());
        Assert.True(Selects(agent.Spec.Selector.MatchLabels, agent.Spec.Template.Metadata.Labels));
    }

    [Fact]
    public void The_hub_finds_the_agents_may_only_list_pods_in_its_namespace_and_alone_may_reach_them()
    {
        var agent = One<V1DaemonSet>();
        var hub = One<V1Deployment>();
        var hubPod = hub.Spec.Template.Spec;
        var hubContainer = Assert.Single(hubPod.Containers);
        Assert.True(Selects(hub.Spec.Selector.MatchLabels, hub.Spec.Template.Metadata.Labels));
        Assert.False(Selects(hub.Spec.Selector.MatchLabels, agent.Spec.Template.Metadata.Labels));
        Assert.Equal(["ALL"], hubContainer.SecurityContext.Capabilities.Drop);
        Assert.Null(hubContainer.SecurityContext.Capabilities.Add);

        // The discovery's selector (NetViz:Kubernetes:AgentSelector) matches the DaemonSet's pods, and only those.
        var selector = hubContainer.Env.Single(e => e.Name == "NetViz__Kubernetes__AgentSelector").Value
            .Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        Assert.True(Selects(selector, agent.Spec.Template.Metadata.Labels));
        Assert.False(Selects(selector, hub.Spec.Template.Metadata.Labels));
        var agentPort = Assert.Single(Assert.Single(agent.Spec.Template.Spec.Containers).Ports).ContainerPort;
        Assert.Equal(agentPort.ToString(), hubContainer.Env.Single(e => e.Name == "NetViz__Kubernetes__AgentPort").Value);

        var service = One<V1Service>();
        Assert.True(Selects(service.Spec.Selector, hub.Spec.Template.Metadata.Labels));
        Assert.False(Selects(service.Spec.Selector, agent.Spec.Template.Metadata.Labels));

        // RBAC: a Role (not a ClusterRole) in the hub's namespace, read-only on pods, bound to the hub's account.
        Assert.Empty(All().OfType<V1ClusterRole>());
        var role = One<V1Role>();
        Assert.Equal(hub.Metadata.NamespaceProperty, role.Metadata.NamespaceProperty);
        var rule = Assert.Single(role.Rules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["pods"], rule.Resources);
        Assert.Equal(["get", "list", "watch"], rule.Verbs.Order());
        var binding = One<V1RoleBinding>();
        Assert.Equal(role.Metadata.Name, binding.RoleRef.Name);
        Assert.Equal(hubPod.ServiceAccountName, Assert.Single(binding.Subjects).Name);
        Assert.Equal(hubPod.ServiceAccountName, One<V1ServiceAccount>().Metadata.Name);

        // The NetworkPolicy guards the agents and lets in the hub's pods only, on the agent's port.
        var policy = One<V1NetworkPolicy>();
        Assert.True(Selects(policy.Spec.PodSelector.MatchLabels, agent.Spec.Template.Metadata.Labels));
        Assert.False(Selects(policy.Spec.PodSelector.MatchLabels, hub.Spec.Template.Metadata.Labels));
        var ingress = Assert.Single(policy.Spec.Ingress);
        var from = Assert.Single(ingress.FromProperty);
        Assert.True(Selects(from.PodSelector.MatchLabels, hub.Spec.Template.Metadata.Labels));
        Assert.False(Selects(from.PodSelector.MatchLabels, agent.Spec.Template.Metadata.Labels));
        Assert.Null(from.NamespaceSelector);
        Assert.Equal(agentPort.ToString(), Assert.Single(ingress.Ports).Port.Value);
        Assert.All(All().OfType<IMetadata<V1ObjectMeta>>().Where(o => o is not V1Namespace), o => Assert.Equal("netviz", o.Metadata.NamespaceProperty));
    }

    [Fact]
    public void The_compose_agent_gets_the_same_capabilities_and_read_only_host_mounts()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Deploy, "compose", "agent.yaml"))));
        var service = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"])["netviz-agent"];
        Assert.Equal("host", service["pid"].ToString());
        Assert.Equal("host", service["network_mode"].ToString());
        Assert.Equal(["ALL"], ((YamlSequenceNode)service["cap_drop"]).Select(n => n.ToString()));
        Assert.Equal(SystemdCapabilities(), ((YamlSequenceNode)service["cap_add"]).Select(n => n.ToString()).Order());
        var volumes = ((YamlSequenceNode)service["volumes"]).Cast<YamlMappingNode>().ToList();
        Assert.Equal(["/var/run/docker.sock", "/var/run/docker/netns", "/var/run/netns"], volumes.Select(v => v["source"].ToString()).Order());
        Assert.All(volumes, v => Assert.Equal("true", v["read_only"].ToString()));
    }
}
