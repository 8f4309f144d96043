using NetViz.Core.Text;

namespace NetViz.Core.Tests.Text;

public class MacAddressTextTests
{
    [Theory]
    [InlineData("02:42:ac:11:00:02")]
    [InlineData("02-42-AC-11-00-02")]
    [InlineData("0242.ac11.0002")]
    [InlineData("0242AC110002")]
    [InlineData(" 02:42:Ac:11:00:02 ")]
    public void Every_notation_of_one_mac_has_the_same_bare_form(string text) =>
        Assert.Equal("0242ac110002", MacAddressText.Bare(text));

    [Theory]
    [InlineData("172.17.0.2")]
    [InlineData("10.0")]
    [InlineData("02:42:ac:11:00")]
    [InlineData("02:42-ac:11:00:02")]
    [InlineData("024:2ac:110:002")]
    [InlineData("02:42:ac:11:00:0g")]
    [InlineData("docker0")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_but_a_whole_mac_is_left_alone(string? text)
    {
        Assert.Null(MacAddressText.Bare(text));
        Assert.Equal(text ?? "", MacAddressText.SearchNeedle(text));
    }
}
