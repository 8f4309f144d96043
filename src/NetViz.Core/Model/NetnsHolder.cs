namespace NetViz.Core.Model;

/// <summary>
/// The process that holds a network namespace (keeps it alive while it runs): the lowest PID living in it, which for a
/// container is its main process. The command is what a person recognises it by: its command line (arguments joined by
/// spaces, at most <see cref="MaxCommandBytes"/> read, control characters shown as <c>?</c>), or <c>[comm]</c> for a
/// process without one (a kernel thread).
/// </summary>
public sealed record NetnsHolder(int Pid, string Command)
{
    /// <summary>Bytes of /proc/PID/cmdline read; a longer command line ends with "…".</summary>
    public const int MaxCommandBytes = 256;
}
