namespace NetViz.Core.Collection;

/// <summary>Who this host is, for a hub that shows several: the machine id next to the hostname.</summary>
public static class HostIdentity
{
    /// <summary>
    /// Reads a machine-id file: 32 hex digits and a newline (machine-id(5)). Anything else (missing, unreadable,
    /// "uninitialized" during first boot, a huge or binary file) gives null rather than a name nobody can trust.
    /// At most 64 bytes are read.
    /// </summary>
    public static string? ReadMachineId(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            Span<byte> buffer = stackalloc byte[64];
            var read = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return Parse(System.Text.Encoding.ASCII.GetString(buffer[..read]));
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>The id when <paramref name="text"/> is 32 hex digits (surrounding whitespace ignored), lowercased; else null.</summary>
    public static string? Parse(string text)
    {
        var id = text.Trim();
        return id.Length == 32 && id.All(char.IsAsciiHexDigit) ? id.ToLowerInvariant() : null;
    }
}
