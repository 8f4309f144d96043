using System.Diagnostics;
using Xunit.Sdk;

namespace NetViz.IntegrationTests;

/// <summary>
/// Compares NetViz with independently read ground truth on a machine that keeps moving: the kernel finishes IPv6
/// duplicate address detection, adds local routes and changes operstates after `ip` has returned, Docker writes
/// rules, other work changes the host. A comparison made once, right after a change, then compares two snapshots of
/// a moving target. Every attempt here reads both sides afresh and asserts; the first attempt that passes wins, and
/// when none passes within the patience the last difference is reported. A real mismatch still fails: it just fails
/// after the patience instead of at once. Not a timing assertion: the patience only bounds a hang.
/// </summary>
public static class Eventually
{
    /// <summary>How long both sides may take to agree (a loaded 2-core machine, other tests beside).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);

    /// <summary>Runs <paramref name="attempt"/> (read NetViz, read the truth, assert) until it passes; returns its result.</summary>
    public static async Task<T> PassesAsync<T>(string what, Func<Task<T>> attempt, TimeSpan? patience = null)
    {
        var clock = Stopwatch.StartNew();
        for (var attempts = 1; ; attempts++)
        {
            try
            {
                return await attempt();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                GiveUpAfter(patience, clock, attempts, what, ex);
            }
            await Task.Delay(Pause);
        }
    }

    /// <inheritdoc cref="PassesAsync{T}(string, Func{Task{T}}, TimeSpan?)"/>
    public static Task PassesAsync(string what, Func<Task> attempt, TimeSpan? patience = null) =>
        PassesAsync(what, async () => { await attempt(); return true; }, patience);

    /// <summary>
    /// Synchronous variant for fixtures that settle what they built before any test reads it (blocks the thread:
    /// no async continuation that could wait for it).
    /// </summary>
    public static T Passes<T>(string what, Func<T> attempt, TimeSpan? patience = null)
    {
        var clock = Stopwatch.StartNew();
        for (var attempts = 1; ; attempts++)
        {
            try
            {
                return attempt();
            }
            catch (Exception ex)
            {
                GiveUpAfter(patience, clock, attempts, what, ex);
            }
            Thread.Sleep(Pause);
        }
    }

    /// <inheritdoc cref="Passes{T}(string, Func{T}, TimeSpan?)"/>
    public static void Passes(string what, Action attempt, TimeSpan? patience = null) =>
        Passes(what, () => { attempt(); return true; }, patience);

    private static void GiveUpAfter(TimeSpan? patience, Stopwatch clock, int attempts, string what, Exception last)
    {
        if (clock.Elapsed < (patience ?? Patience)) return;
        throw new XunitException(
            $"{what}: still different after {attempts} attempts in {clock.Elapsed.TotalSeconds:0.0} s. Last difference:{Environment.NewLine}{last.Message}", last);
    }
}
