using System.Globalization;

namespace NetViz.Web.Localization;

/// <summary>
/// The language of the page a component belongs to, kept for work that another thread starts. A circuit's culture
/// flows with its own async work, but an event raised on the monitor's thread (the history's Changed) runs the
/// component's InvokeAsync callback, and the render it triggers, inline on that thread with that thread's culture:
/// a Korean timeline turned English at the first change. Capture in OnInitialized, enter around the render.
/// </summary>
public sealed class PageCulture
{
    private readonly CultureInfo _culture = CultureInfo.CurrentCulture;
    private readonly CultureInfo _uiCulture = CultureInfo.CurrentUICulture;

    /// <summary>Switches the current thread to the page's culture until disposed, then back to the thread's own.</summary>
    public Scope Enter() => new(_culture, _uiCulture);

    public readonly struct Scope : IDisposable
    {
        private readonly CultureInfo _previous;
        private readonly CultureInfo _previousUi;

        internal Scope(CultureInfo culture, CultureInfo uiCulture)
        {
            (_previous, _previousUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
        }

        public void Dispose() => (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (_previous, _previousUi);
    }
}
