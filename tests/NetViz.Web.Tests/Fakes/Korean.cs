using System.Globalization;
using System.Resources;

namespace NetViz.Web.Tests.Fakes;

/// <summary>The dashboard's resources read directly (not through the component under test), for expected Korean texts.</summary>
public static class Korean
{
    private static readonly ResourceManager Resources = new("NetViz.Web.Resources.SharedResource", typeof(SharedResource).Assembly);

    public static readonly CultureInfo Culture = new("ko");

    /// <summary>The Korean resource <paramref name="key"/> filled with the arguments; fails when it is missing or the same as the English.</summary>
    public static string Text(string key, params object[] args)
    {
        var format = Resources.GetString(key, Culture);
        Assert.NotNull(format);
        Assert.NotEqual(Resources.GetString(key, CultureInfo.InvariantCulture), format);
        return string.Format(CultureInfo.InvariantCulture, format, args);
    }
}
