using System.Collections.Immutable;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using NetViz.Web.Graph;
using NetViz.Web.Lessons;

namespace NetViz.Web.Components.Shared;

/// <summary>
/// Lesson mode (issue 13): the seed lesson's steps (none → host → bridge → veth → namespace → route → MASQUERADE,
/// by hand, published ports) toured on the live host. Each step finds its real elements on <see cref="Index"/>
/// (<see cref="LessonTargets"/>), has the graph focus them through <see cref="OnHighlight"/>, and fills its commands
/// with the real values. The steps are read from the lesson files of the page's language (<see cref="LessonCatalog"/>).
/// </summary>
public partial class LessonPanel : ComponentBase
{
    private ElementReference _element;
    private ImmutableArray<LessonStep> _steps = [];
    private string? _error;
    private int _step;
    private ImmutableArray<string> _highlighted = [];
    private LessonTarget _target = new([], ImmutableDictionary<string, string>.Empty);

    [Inject] private LessonCatalog Catalog { get; set; } = default!;

    /// <summary>The snapshot the graph shows; the step's elements are looked for in it (again on every change).</summary>
    [Parameter, EditorRequired] public TopologyIndex Index { get; set; } = default!;

    /// <summary>Called with the graph ids the current step is about (they are highlighted and zoomed to).</summary>
    [Parameter] public EventCallback<IReadOnlyList<string>> OnHighlight { get; set; }

    /// <summary>Called when the lesson is closed.</summary>
    [Parameter] public EventCallback OnClose { get; set; }

    private LessonStep? Step => _steps.IsDefaultOrEmpty ? null : _steps[_step];

    private LessonTarget Target => _target;

    protected override void OnInitialized()
    {
        var load = Catalog.Load(CultureInfo.CurrentUICulture);
        (_steps, _error) = (load.Steps, load.Error);
    }

    protected override async Task OnParametersSetAsync() => await FindAsync();

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // The arrows work at once, without a click into the card first.
        if (firstRender) await _element.FocusAsync();
    }

    private async Task GoAsync(int step)
    {
        if (_steps.IsDefaultOrEmpty) return;
        _step = Math.Clamp(step, 0, _steps.Length - 1);
        await FindAsync();
    }

    /// <summary>Finds the step's elements; tells the graph only when they changed (a live update must not re-zoom).</summary>
    private async Task FindAsync()
    {
        if (Step is not { } step || Index is null) return;
        _target = LessonTargets.Find(Index, step.Find);
        if (_target.Elements.SequenceEqual(_highlighted)) return;
        _highlighted = _target.Elements;
        await OnHighlight.InvokeAsync(_highlighted);
    }

    private async Task OnKeyAsync(KeyboardEventArgs e)
    {
        if (e.Key == "ArrowRight") await GoAsync(_step + 1);
        else if (e.Key == "ArrowLeft") await GoAsync(_step - 1);
    }

    /// <summary>A paragraph cut into text and <c>`code`</c> spans (rendered as text: nothing in a lesson file is markup).</summary>
    public static IEnumerable<(string Text, bool Code)> Spans(string paragraph)
    {
        var parts = paragraph.Split('`');
        for (var i = 0; i < parts.Length; i++)
            if (parts[i].Length > 0) yield return (parts[i], i % 2 == 1);
    }
}
