using System.Collections.Immutable;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using NetViz.Core.Timeline;
using NetViz.Web.Localization;

namespace NetViz.Web.Components.Shared;

/// <summary>
/// The timeline (issue 13): the episodes the history holds, newest first; one chosen is replayed step by step on the
/// graph (each step's elements highlighted through <see cref="OnHighlight"/>) and can be exported as text.
/// </summary>
public partial class TimelinePanel : ComponentBase, IDisposable
{
    private const int MaxListed = 30;
    /// <summary>Time per step when replaying on its own: long enough to say what happened.</summary>
    private static readonly TimeSpan ReplayStep = TimeSpan.FromMilliseconds(1500);

    private ImmutableArray<TimelineEpisode> _episodes = [];
    private long? _selectedId;
    private int _step;
    private CancellationTokenSource? _playing;
    private int _refreshQueued;
    private PageCulture _pageCulture = default!;

    [Inject] private TopologyHistory History { get; set; } = default!;

    /// <summary>Called with the graph ids of the step being shown (empty to clear).</summary>
    [Parameter] public EventCallback<IReadOnlyList<string>> OnHighlight { get; set; }

    private TimelineEpisode? Selected => _episodes.FirstOrDefault(e => e.Id == _selectedId);

    protected override void OnInitialized()
    {
        _pageCulture = new PageCulture();
        _episodes = History.Episodes();
        History.Changed += OnHistoryChanged;
    }

    private void OnHistoryChanged()
    {
        // Raised under the feed's lock on the monitor's thread: queue one refresh, never wait here.
        if (Interlocked.Exchange(ref _refreshQueued, 1) == 1) return;
        _ = InvokeAsync(() =>
        {
            Volatile.Write(ref _refreshQueued, 0);
            _episodes = History.Episodes();
            // This runs, and renders, on the monitor's thread: in the page's language, not that thread's.
            using var _ = _pageCulture.Enter();
            StateHasChanged();
        });
    }

    private async Task SelectAsync(long id)
    {
        Stop();
        _selectedId = id;
        await GoAsync(0);
    }

    private async Task GoAsync(int step)
    {
        if (Selected is not { } episode) return;
        var steps = episode.Steps.ToList();
        if (steps.Count == 0) return;
        _step = Math.Clamp(step, 0, steps.Count - 1);
        await OnHighlight.InvokeAsync(steps[_step].Elements);
    }

    private async Task PlayAsync()
    {
        if (Selected is not { } episode) return;
        Stop();
        var cts = _playing = new CancellationTokenSource();
        var count = episode.Steps.Count();
        try
        {
            for (var i = 0; i < count && !cts.IsCancellationRequested; i++)
            {
                await GoAsync(i);
                StateHasChanged();
                await Task.Delay(ReplayStep, cts.Token);
            }
        }
        catch (OperationCanceledException) { }
        if (ReferenceEquals(_playing, cts)) _playing = null;
    }

    private void Stop()
    {
        _playing?.Cancel();
        _playing = null;
    }

    /// <summary>The step in the page's language: Core's English text, or the resource for its kind filled with its values.</summary>
    private string StepText(TimelineStep step) => StepWording.Text(L, step);

    private string Title(TimelineEpisode episode)
    {
        var steps = episode.Steps.ToList();
        var first = steps.FirstOrDefault(s => s.Kind is StepKinds.ContainerCreated or StepKinds.ContainerRemoved
            or StepKinds.ContainerStarted or StepKinds.ContainerStopped) ?? steps[0];
        return steps.Count > 1 ? L["Timeline.More", StepText(first), steps.Count - 1] : StepText(first);
    }

    public void Dispose()
    {
        History.Changed -= OnHistoryChanged;
        Stop();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Wording of a <see cref="TimelineStep"/> in the page's language.</summary>
public static class StepWording
{
    public static string Text(IStringLocalizer localizer, TimelineStep step)
    {
        if (LanguageSwitch.Current == "en") return step.Text;
        var args = step.Args.Select(a => (object)a).ToArray();
        var key = $"Step.{step.Kind}";
        // A namespace's containers read as "(web)" after its number; nothing when it has none.
        if (step.Kind is StepKinds.NetnsCreated or StepKinds.NetnsRemoved && args.Length > 1)
            args[1] = args[1] is string { Length: > 0 } names ? $"({names})" : "";
        // Docker's and the kernel's words (exited, bridge) in the page's language; the values (names, modes) as they are.
        switch (step.Kind)
        {
            case StepKinds.ContainerCreated when args.Length > 2:
                args[2] = DockerWords.State(step.Args[2]);
                break;
            case StepKinds.ContainerStopped when args.Length > 1:
                args[1] = DockerWords.State(step.Args[1]);
                break;
            case StepKinds.LinkCreated or StepKinds.LinkInNetns or StepKinds.LinkRemoved when args.Length > 0:
                args[0] = DockerWords.LinkType(step.Args[0]);
                break;
            case StepKinds.Enslaved or StepKinds.Released when args.Length > 1:
                args[1] = DockerWords.LinkType(step.Args[1]);
                break;
            case StepKinds.NetworkCreated when args.Length > 2 && step.Args[2].Length == 0:
                key += ".nosubnet"; // null and host networks have no subnet: no dangling ", )"
                break;
        }
        var text = localizer[key, args];
        return text.ResourceNotFound ? step.Text : text.Value.Trim();
    }
}
