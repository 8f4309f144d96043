namespace NetViz.Web.Localization;

/// <summary>
/// Docker's and the kernel's own words (a container's state, a link's type) in the page's language. English keeps the
/// word exactly as <c>docker ps</c> or <c>ip link</c> prints it; Korean says it in Korean with that word beside it, so a
/// learner can still match it with the command's output. A word with no resource (a new state, a rare link type) is
/// shown as it came, never dropped.
/// </summary>
public static class DockerWords
{
    /// <summary>"exited" → "종료됨 (exited)" in Korean; as is in English or when unknown.</summary>
    public static string State(string state) => Word("Docker.State.", state);

    /// <summary>"bridge" → "브리지" in Korean; veth, macvlan, vxlan stay as they are.</summary>
    public static string LinkType(string type) => Word("Docker.LinkType.", type);

    private static string Word(string prefix, string word) =>
        word.Length is > 0 and <= 32 && SharedWords.Find(prefix + word) is { Length: > 0 } said ? said : word;
}
