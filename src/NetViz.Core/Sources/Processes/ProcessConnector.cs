using System.Buffers.Binary;
using NetViz.Core.Sources.Netlink;

namespace NetViz.Core.Sources.Processes;

/// <summary>What the process connector reported (linux/cn_proc.h); only the events NetViz asks for.</summary>
internal enum ProcessEventKind
{
    Exec,
    Exit,
}

/// <param name="Pid">The task id (a thread's own id for threads).</param>
/// <param name="Tgid">The process id (thread group); a process exited when <c>Pid == Tgid</c> in an exit event.</param>
internal readonly record struct ProcessEvent(ProcessEventKind Kind, int Pid, int Tgid);

/// <summary>
/// The kernel's process connector: NETLINK_CONNECTOR, CN_IDX_PROC. Subscribing takes one control message sent to
/// the kernel (PROC_CN_MCAST_LISTEN); it changes nothing but the kernel's count of listeners. On kernels from 6.6
/// a second message narrows delivery to exec and exit events, so forks and the rest are never even queued to us;
/// older kernels ignore that message (its length is not the one they accept) and deliver everything, which the
/// parser skips. Works only for a process in the initial user and pid namespaces, and only in the initial network
/// namespace (the connector exists nowhere else): a containerised NetViz falls back to periodic sweeps.
/// </summary>
internal static class ProcessConnector
{
    private const uint CN_IDX_PROC = 1, CN_VAL_PROC = 1;
    private const uint PROC_CN_MCAST_LISTEN = 1, PROC_CN_MCAST_IGNORE = 2;
    private const uint PROC_EVENT_EXEC = 0x00000002, PROC_EVENT_EXIT = 0x80000000;
    private const int NlmsgHeader = 16, CnMsgHeader = 20;

    /// <summary>A subscribed connector socket, or -errno (EPROTONOSUPPORT outside the initial network namespace, ...).</summary>
    public static int Open()
    {
        var fd = LibC.OpenNetlinkSocketFd(LibC.NETLINK_CONNECTOR);
        if (fd < 0) return fd;
        // Multicast group CN_IDX_PROC; a larger queue rides out a fork storm between two reads.
        var error = LibC.JoinNetlinkGroups(fd, [(int)CN_IDX_PROC]);
        if (error == 0)
        {
            LibC.SetSocketOption(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, 1024 * 1024);
            error = LibC.SendToKernel(fd, Control(PROC_CN_MCAST_LISTEN, null));
        }
        if (error == 0) LibC.SendToKernel(fd, Control(PROC_CN_MCAST_LISTEN, PROC_EVENT_EXEC | PROC_EVENT_EXIT));
        if (error != 0)
        {
            LibC.Close(fd);
            return -error;
        }
        return fd;
    }

    /// <summary>Tells the kernel this listener is going (kernels before 6.6 would otherwise keep counting it).</summary>
    public static void Unsubscribe(int fd) => LibC.SendToKernel(fd, Control(PROC_CN_MCAST_IGNORE, null));

    /// <summary>
    /// nlmsghdr + cn_msg { cb_id { idx, val }, seq, ack, len, flags } + data: the op alone (4 bytes, every kernel),
    /// or struct proc_input { op, event_type } (8 bytes, 6.6+ filtering).
    /// </summary>
    internal static byte[] Control(uint op, uint? eventTypes)
    {
        var dataLength = eventTypes is null ? 4 : 8;
        var message = new byte[NlmsgHeader + CnMsgHeader + dataLength];
        var s = message.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)message.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(s[4..], NetlinkParser.NLMSG_DONE); // what the connector expects
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], CN_IDX_PROC);
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], CN_VAL_PROC);
        BinaryPrimitives.WriteUInt16LittleEndian(s[32..], (ushort)dataLength);
        BinaryPrimitives.WriteUInt32LittleEndian(s[36..], op);
        if (eventTypes is { } types) BinaryPrimitives.WriteUInt32LittleEndian(s[40..], types);
        return message;
    }

    /// <summary>
    /// Decodes the exec and exit events in a datagram (struct proc_event after cn_msg: what, cpu, timestamp_ns,
    /// then the event's data: exec { pid, tgid }, exit { pid, tgid, code, signal, parent pid, parent tgid }).
    /// Anything else (forks on old kernels, acks, malformed input) is skipped.
    /// </summary>
    public static void Parse(ReadOnlySpan<byte> datagram, List<ProcessEvent> into)
    {
        var reader = new NetlinkMessageReader(datagram);
        while (reader.TryRead(out var message))
        {
            var m = message.Payload;
            if (m.Length < CnMsgHeader + 24) continue;
            if (BinaryPrimitives.ReadUInt32LittleEndian(m) != CN_IDX_PROC || BinaryPrimitives.ReadUInt32LittleEndian(m[4..]) != CN_VAL_PROC) continue;
            var ev = m[CnMsgHeader..];
            var what = BinaryPrimitives.ReadUInt32LittleEndian(ev);
            var pid = BinaryPrimitives.ReadInt32LittleEndian(ev[16..]);
            var tgid = BinaryPrimitives.ReadInt32LittleEndian(ev[20..]);
            if (what == PROC_EVENT_EXEC) into.Add(new ProcessEvent(ProcessEventKind.Exec, pid, tgid));
            else if (what == PROC_EVENT_EXIT) into.Add(new ProcessEvent(ProcessEventKind.Exit, pid, tgid));
        }
    }
}
