namespace NetViz.Core.Text;

/// <summary>
/// MAC addresses in the notations people paste: <c>02:42:ac:11:00:02</c> (ip, Docker), <c>02-42-AC-11-00-02</c>
/// (Windows, IEEE), <c>0242.ac11.0002</c> (Cisco) and <c>0242ac110002</c>. Search compares their bare form.
/// </summary>
public static class MacAddressText
{
    /// <summary>
    /// The twelve lower-case hex digits of a whole MAC written in any of those notations, else null. Only a whole
    /// address is recognised, so that "10.0" (part of an IP) is never taken for hex.
    /// </summary>
    public static string? Bare(string? text)
    {
        if (text is null) return null;
        var trimmed = text.Trim();
        if (trimmed.Length is not (12 or 14 or 17)) return null;
        Span<char> digits = stackalloc char[12];
        var count = 0;
        char? separator = null;
        foreach (var ch in trimmed)
        {
            if (char.IsAsciiHexDigit(ch))
            {
                if (count == 12) return null;
                digits[count++] = char.ToLowerInvariant(ch);
            }
            else if (ch is ':' or '-' or '.' && (separator is null || separator == ch)) separator = ch;
            else return null;
        }
        if (count != 12) return null;
        // Groups must be pairs (: or -) or quads (.), as each notation writes them.
        var expectedLength = separator switch { null => 12, '.' => 14, _ => 17 };
        if (trimmed.Length != expectedLength) return null;
        var group = separator == '.' ? 5 : 3;
        for (var i = group - 1; separator is not null && i < trimmed.Length; i += group)
            if (trimmed[i] != separator) return null;
        return new string(digits);
    }

    /// <summary>What a search box should look for: the bare form of a MAC, else the text as typed.</summary>
    public static string SearchNeedle(string? text) => Bare(text) ?? text ?? "";
}
