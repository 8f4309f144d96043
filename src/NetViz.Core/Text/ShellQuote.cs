using System.Text;

namespace NetViz.Core.Text;

/// <summary>
/// Quoting for POSIX shells (sh, bash, dash, zsh in sh mode) of every value NetViz puts into a command a person
/// may paste into a root shell. Names come from tenants: a namespace called <c>nv;touch PWNED;#</c> or a veth
/// called <c>x$(id&gt;Q)</c> must arrive as one argument and run nothing.
/// </summary>
public static class ShellQuote
{
    /// <summary>
    /// The value as one shell word: left bare when every character is in <c>[A-Za-z0-9_./:@%+=,-]</c> (none of
    /// them is special to a POSIX shell outside a command's first word, so <c>docker0</c> stays readable),
    /// otherwise in single quotes, inside which nothing is special; a single quote becomes <c>'\''</c>.
    /// </summary>
    public static string Word(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length > 0 && value.AsSpan().IndexOfAnyExcept(BareCharacters) < 0 ? value : Quoted(value);
    }

    /// <summary>The value in single quotes, always (for text that reads better quoted, like a whole iptables rule).</summary>
    public static string Quoted(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>
    /// Why a command must not be offered for copying, or null when it may. Quoting keeps a newline inside one
    /// argument, but a terminal acts on control characters as they are pasted (a newline can end a heredoc or an
    /// interactive prompt, escape sequences drive the terminal), and bidirectional-override characters make the
    /// command shown differ from the command pasted. Such a command is shown, with the characters made visible,
    /// for a person to type.
    /// </summary>
    public static string? WhyNotPasteable(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var ch in command)
        {
            if (IsControl(ch))
                return $"It contains a control character ({Describe(ch)}) from a name: a terminal would act on it as it is pasted. Type the command by hand.";
            if (IsBidiControl(ch))
                return $"It contains a text-direction character (U+{(int)ch:X4}) from a name: what is pasted would differ from what is shown. Type the command by hand.";
        }
        return null;
    }

    /// <summary>The text with control and text-direction characters shown as escapes (<c>\n</c>, <c>\x1b</c>, <c>\u202e</c>).</summary>
    public static string Visible(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(ch => IsControl(ch) || IsBidiControl(ch))) return text;
        var sb = new StringBuilder(text.Length + 8);
        foreach (var ch in text)
        {
            if (IsControl(ch) || IsBidiControl(ch)) sb.Append(Describe(ch));
            else sb.Append(ch);
        }
        return sb.ToString();
    }

    private const string BareCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:@%+=,-";

    private static bool IsControl(char ch) => char.IsControl(ch) || ch is '\u2028' or '\u2029';

    // LRE, RLE, PDF, LRO, RLO (U+202A..U+202E), LRI, RLI, FSI, PDI (U+2066..U+2069), LRM, RLM, ALM.
    private static bool IsBidiControl(char ch) => ch is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F' or '\u061C';

    private static string Describe(char ch) => ch switch
    {
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        < '\u0100' => $"\\x{(int)ch:x2}",
        _ => $"\\u{(int)ch:x4}",
    };
}
