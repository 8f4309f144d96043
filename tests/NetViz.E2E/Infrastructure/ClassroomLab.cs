using static NetViz.E2E.Infrastructure.HostCommand;

namespace NetViz.E2E.Infrastructure;

/// <summary>
/// The lesson's lab for the classroom tests: <c>lab.sh up --record</c>, and back with <c>lab.sh undo</c> (exactly what
/// this run created or started goes), plus the test's own containers (nvcls-*, labelled) removed by label.
/// </summary>
public sealed class ClassroomLab : IAsyncLifetime
{
    public const string Label = "netviz.test=nvcls";

    private readonly string _labRecord = Path.Combine(Path.GetTempPath(), $"nvcls-lab-record-{Environment.ProcessId}.txt");

    public Task InitializeAsync()
    {
        RemoveContainersLabelled(Label);
        LabWithExtraContainers.Lab("up", "--record", _labRecord);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        RemoveContainersLabelled(Label);
        if (File.Exists(_labRecord))
        {
            LabWithExtraContainers.Lab("undo", _labRecord);
            File.Delete(_labRecord);
        }
        return Task.CompletedTask;
    }
}
