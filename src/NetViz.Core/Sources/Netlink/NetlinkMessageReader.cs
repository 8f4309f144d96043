using System.Runtime.InteropServices;

namespace NetViz.Core.Sources.Netlink;

/// <summary>One netlink message: the nlmsghdr fields and its payload (the bytes after the 16-byte header).</summary>
public readonly ref struct NetlinkMessage
{
    public NetlinkMessage(ushort type, ushort flags, uint sequence, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Flags = flags;
        Sequence = sequence;
        Payload = payload;
    }

    public ushort Type { get; }
    public ushort Flags { get; }
    public uint Sequence { get; }
    public ReadOnlySpan<byte> Payload { get; }
}

/// <summary>
/// Walks a buffer of netlink messages (one or several datagrams back to back). Netlink is host byte order and
/// every message starts on a 4-byte boundary (NLMSG_ALIGN). Stops, with <see cref="Malformed"/> set, at a header
/// whose length is impossible: nothing after it can be trusted.
/// </summary>
public ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _rest;

    public NetlinkMessageReader(ReadOnlySpan<byte> buffer) => _rest = buffer;

    public bool Malformed { get; private set; }

    public bool TryRead(out NetlinkMessage message)
    {
        message = default;
        if (_rest.IsEmpty) return false;
        if (_rest.Length < NetlinkRequest.HeaderLength)
        {
            Malformed = true;
            _rest = default;
            return false;
        }
        var length = MemoryMarshal.Read<uint>(_rest);
        if (length < NetlinkRequest.HeaderLength || length > (uint)_rest.Length)
        {
            Malformed = true;
            _rest = default;
            return false;
        }
        message = new NetlinkMessage(
            MemoryMarshal.Read<ushort>(_rest[4..]),
            MemoryMarshal.Read<ushort>(_rest[6..]),
            MemoryMarshal.Read<uint>(_rest[8..]),
            _rest[NetlinkRequest.HeaderLength..(int)length]);
        var next = NetlinkRequest.Align4((int)length);
        _rest = next >= _rest.Length ? default : _rest[next..];
        return true;
    }
}

/// <summary>One rtattr: type already masked with NLA_TYPE_MASK (0x3fff, drops NLA_F_NESTED and NLA_F_NET_BYTEORDER).</summary>
public readonly ref struct NetlinkAttribute
{
    public NetlinkAttribute(ushort type, ReadOnlySpan<byte> value)
    {
        Type = type;
        Value = value;
    }

    public ushort Type { get; }
    public ReadOnlySpan<byte> Value { get; }
}

/// <summary>Walks rtattr/nlattr TLVs (4-byte header, 4-byte aligned). Sets <see cref="Malformed"/> on an impossible length.</summary>
public ref struct NetlinkAttributeReader
{
    private ReadOnlySpan<byte> _rest;

    public NetlinkAttributeReader(ReadOnlySpan<byte> attributes) => _rest = attributes;

    public bool Malformed { get; private set; }

    public bool TryRead(out NetlinkAttribute attribute)
    {
        attribute = default;
        if (_rest.Length < 4)
        {
            // Trailing bytes shorter than an attribute header can only be padding.
            _rest = default;
            return false;
        }
        var length = MemoryMarshal.Read<ushort>(_rest);
        if (length < 4 || length > _rest.Length)
        {
            Malformed = true;
            _rest = default;
            return false;
        }
        attribute = new NetlinkAttribute((ushort)(MemoryMarshal.Read<ushort>(_rest[2..]) & 0x3fff), _rest[4..length]);
        var next = NetlinkRequest.Align4(length);
        _rest = next >= _rest.Length ? default : _rest[next..];
        return true;
    }
}
