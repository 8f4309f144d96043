using System.Buffers.Binary;
using NetViz.Core.Sources.Processes;

namespace NetViz.Core.Tests.Sources.Processes;

public sealed class ProcessConnectorTests
{
    private static byte[] Recorded(string kind) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "proc-connector", $"true-{kind}.bin"));

    private static List<ProcessEvent> Parse(params byte[][] datagrams)
    {
        var events = new List<ProcessEvent>();
        foreach (var d in datagrams) ProcessConnector.Parse(d, events);
        return events;
    }

    [Fact]
    public void The_recorded_exec_and_exit_of_bin_true_decode_to_its_pid_and_the_fork_is_skipped()
    {
        // Fixtures/proc-connector/README.md: /bin/true ran as pid 17407.
        Assert.Equal([new ProcessEvent(ProcessEventKind.Exec, 17407, 17407)], Parse(Recorded("exec")));
        Assert.Equal([new ProcessEvent(ProcessEventKind.Exit, 17407, 17407)], Parse(Recorded("exit")));
        Assert.Empty(Parse(Recorded("fork")));
    }

    [Fact]
    public void Truncated_or_foreign_datagrams_yield_nothing()
    {
        var exec = Recorded("exec");
        Assert.Empty(Parse(exec[..40]));
        var foreign = (byte[])exec.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(foreign.AsSpan(16), 7); // another connector index
        Assert.Empty(Parse(foreign));
    }

    [Fact]
    public void The_subscription_is_the_op_alone_and_the_6_6_filter_is_proc_input()
    {
        var listen = ProcessConnector.Control(1, null);
        Assert.Equal(40, listen.Length);
        Assert.Equal(40u, BinaryPrimitives.ReadUInt32LittleEndian(listen));
        Assert.Equal(3, BinaryPrimitives.ReadUInt16LittleEndian(listen.AsSpan(4)));   // NLMSG_DONE
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(listen.AsSpan(16))); // CN_IDX_PROC
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(listen.AsSpan(20))); // CN_VAL_PROC
        Assert.Equal(4, BinaryPrimitives.ReadUInt16LittleEndian(listen.AsSpan(32)));  // cn_msg.len
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(listen.AsSpan(36))); // PROC_CN_MCAST_LISTEN

        var filter = ProcessConnector.Control(1, 0x80000002);
        Assert.Equal(44, filter.Length);
        Assert.Equal(8, BinaryPrimitives.ReadUInt16LittleEndian(filter.AsSpan(32)));
        Assert.Equal(0x80000002u, BinaryPrimitives.ReadUInt32LittleEndian(filter.AsSpan(40)));
    }
}
