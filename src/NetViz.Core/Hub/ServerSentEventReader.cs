using System.Text;

namespace NetViz.Core.Hub;

/// <summary>One event of a Server-Sent Events stream (a comment line is an event with <see cref="IsComment"/>).</summary>
public sealed record ServerSentEvent(string Name, string? Id, string Data, bool IsComment = false);

/// <summary>
/// Reads <c>text/event-stream</c> (the WHATWG format the agent's <c>/api/events</c> writes), bounded: an event larger
/// than the limit ends the read with an error instead of growing without end. Comments are returned too, since the
/// agent's keep-alive comment is how a quiet stream shows it is alive.
/// </summary>
public sealed class ServerSentEventReader(Stream stream, int maxEventBytes)
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 16 * 1024);
    private readonly char[] _buffer = new char[16 * 1024];
    private int _start, _end;

    /// <summary>The next event or comment; null at the end of the stream.</summary>
    public async Task<ServerSentEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        string? name = null, id = null;
        var data = new StringBuilder();
        var any = false;
        while (true)
        {
            var line = await ReadLineAsync(maxEventBytes - data.Length, cancellationToken).ConfigureAwait(false);
            if (line is null) return null;
            if (line.Length == 0)
            {
                if (any) return new ServerSentEvent(name ?? "message", id, data.ToString());
                continue;
            }
            if (line[0] == ':')
            {
                if (!any) return new ServerSentEvent("", null, line[1..].Trim(), IsComment: true);
                continue;
            }
            any = true;
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' ')) value = value[1..];
            switch (field)
            {
                case "event": name = value; break;
                case "id": id = value; break;
                case "data":
                    if (data.Length > 0) data.Append('\n');
                    data.Append(value);
                    break;
            }
        }
    }

    /// <summary>A line without its end (LF, CR or CRLF), at most <paramref name="max"/> characters, or null at the end.</summary>
    private async Task<string?> ReadLineAsync(int max, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await _reader.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (_end == 0) return line.Length > 0 ? line.ToString() : null;
            }
            var span = _buffer.AsSpan(_start, _end - _start);
            var stop = span.IndexOfAny('\n', '\r');
            var take = stop < 0 ? span.Length : stop;
            if (line.Length + take > max) throw new InvalidDataException($"an event of more than {max} characters");
            line.Append(span[..take]);
            _start += take;
            if (stop < 0) continue;
            var ending = _buffer[_start++];
            if (ending == '\r')
            {
                // CRLF: the LF may be in the next read.
                if (_start == _end)
                {
                    _start = 0;
                    _end = await _reader.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                }
                if (_start < _end && _buffer[_start] == '\n') _start++;
            }
            return line.ToString();
        }
    }
}
