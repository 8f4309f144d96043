using MudBlazor;

namespace NetViz.Web.Components.Layout;

/// <summary>The dashboard's MudBlazor themes: the standard one and the projector one (bigger type, stronger contrast).</summary>
public static class NetVizTheme
{
    // System fonts only: the dashboard must not reach out to a font CDN.
    private static readonly string[] Fonts = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"];

    public static MudTheme Standard { get; } = new()
    {
        PaletteLight = new PaletteLight { Primary = "#1565c0", Secondary = "#00897b", AppbarBackground = "#1565c0" },
        PaletteDark = new PaletteDark { Primary = "#64b5f6", Secondary = "#4db6ac" },
        Typography = new Typography { Default = new DefaultTypography { FontFamily = Fonts } },
    };

    public static MudTheme Projector { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#0d3c8c", Secondary = "#00695c", AppbarBackground = "#000000", AppbarText = "#ffffff",
            TextPrimary = "#000000", TextSecondary = "#1a1a1a", Background = "#ffffff", Surface = "#ffffff",
            LinesDefault = "#000000", TableLines = "#333333", Divider = "#333333",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#90caf9", Secondary = "#80cbc4", AppbarBackground = "#000000", AppbarText = "#ffffff",
            TextPrimary = "#ffffff", TextSecondary = "#f0f0f0", Background = "#000000", Surface = "#121212",
            LinesDefault = "#ffffff", TableLines = "#cccccc", Divider = "#cccccc",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = Fonts, FontSize = "1.125rem", FontWeight = "500" },
            Body1 = new Body1Typography { FontSize = "1.25rem", FontWeight = "500" },
            Body2 = new Body2Typography { FontSize = "1.125rem", FontWeight = "500" },
            Button = new ButtonTypography { FontSize = "1.1rem", FontWeight = "600" },
            Caption = new CaptionTypography { FontSize = "1rem" },
            H6 = new H6Typography { FontSize = "1.6rem", FontWeight = "700" },
            H5 = new H5Typography { FontSize = "1.9rem", FontWeight = "700" },
            Subtitle1 = new Subtitle1Typography { FontSize = "1.3rem", FontWeight = "600" },
            Subtitle2 = new Subtitle2Typography { FontSize = "1.2rem", FontWeight = "600" },
        },
    };
}
