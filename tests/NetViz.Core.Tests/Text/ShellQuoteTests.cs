using System.Diagnostics;
using NetViz.Core.Text;

namespace NetViz.Core.Tests.Text;

public class ShellQuoteTests
{
    public static TheoryData<string> Hostile() =>
    [
        "nv;touch PWNED;#", "x$(id>Q)", "`id`", "a<b>c", "it's", "\"dq\"", "two words", "line\nbreak", "tab\there",
        "$HOME", "~root", "*", "a|b&c", "'", "''", "\\", "-n", "{a,b}", "!!", "é ü 中", "",
    ];

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Bash_reads_every_quoted_value_back_as_exactly_one_argument(string value)
    {
        // printf '%s\0' prints each argument it got, NUL-terminated: one argument, byte for byte the value.
        var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, WorkingDirectory = Path.GetTempPath() };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("printf '%s\\0' " + ShellQuote.Word(value));
        using var bash = Process.Start(psi)!;
        var output = bash.StandardOutput.ReadToEnd();
        bash.WaitForExit();
        Assert.Equal(0, bash.ExitCode);
        Assert.Equal(value + "\0", output);
    }

    [Theory]
    [InlineData("docker0", "docker0")]
    [InlineData("veth1a2b3c4", "veth1a2b3c4")]
    [InlineData("br-5f1b2c3d4e5f", "br-5f1b2c3d4e5f")]
    [InlineData("/var/run/netns/blue", "/var/run/netns/blue")]
    [InlineData("user@host:1.2,x=y+z%", "user@host:1.2,x=y+z%")]
    [InlineData("a b", "'a b'")]
    [InlineData("a;b", "'a;b'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("", "''")]
    [InlineData("~x", "'~x'")]
    public void Plain_names_stay_bare_and_anything_else_is_single_quoted(string value, string expected) =>
        Assert.Equal(expected, ShellQuote.Word(value));

    [Fact]
    public void Quoted_always_quotes() => Assert.Equal("'docker0'", ShellQuote.Quoted("docker0"));

    [Theory]
    [InlineData("ip -n 'a\nb' addr", "\\n")]
    [InlineData("ip -n 'a\rb' addr", "\\r")]
    [InlineData("ip -n 'a\u001b[2Jb' addr", "\\x1b")]
    [InlineData("ip -n 'a\u007fb' addr", "\\x7f")]
    [InlineData("ip -n 'a\u2028b' addr", "\\u2028")]
    public void A_command_with_a_control_character_is_not_pasteable_and_shows_it_escaped(string command, string shown)
    {
        Assert.Contains($"control character ({shown})", ShellQuote.WhyNotPasteable(command));
        Assert.Contains(shown, ShellQuote.Visible(command));
        Assert.DoesNotContain(ShellQuote.Visible(command), char.IsControl);
    }

    [Fact]
    public void A_text_direction_override_is_not_pasteable()
    {
        // U+202E makes "ip link show 'abc'" display reversed after it: what is shown is not what is pasted.
        Assert.Contains("U+202E", ShellQuote.WhyNotPasteable("ip link show 'a\u202Ecba'"));
        Assert.Equal("ip link show 'a\\u202ecba'", ShellQuote.Visible("ip link show 'a\u202Ecba'"));
    }

    [Fact]
    public void An_ordinary_command_is_pasteable_and_shown_as_is()
    {
        Assert.Null(ShellQuote.WhyNotPasteable("ip netns exec 'nv;x' ip link"));
        Assert.Equal("ip -br link", ShellQuote.Visible("ip -br link"));
    }
}
