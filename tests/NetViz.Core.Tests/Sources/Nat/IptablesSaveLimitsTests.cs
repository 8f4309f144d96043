using System.Text;
using NetViz.Core.Sources.Nat;

namespace NetViz.Core.Tests.Sources.Nat;

/// <summary>What a hostile or broken iptables-save output may cost: bounded bytes, lines, rules and warnings.</summary>
public class IptablesSaveLimitsTests
{
    private static string Rules(int count, string chain = "POSTROUTING") =>
        "*nat\n:POSTROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n"
        + string.Concat(Enumerable.Range(0, count).Select(i => $"[1:60] -A {chain} -s 10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}/32 -j MASQUERADE\n"))
        + "COMMIT\n";

    [Fact]
    public void Warnings_list_the_first_twenty_then_count_the_rest_and_each_is_cut_to_its_limit()
    {
        var garbage = string.Concat(Enumerable.Range(0, 500).Select(i => $"garbage {i} {new string('x', 1000)}\n"));
        var r = IptablesSaveParser.Parse(garbage);

        Assert.Equal(21, r.Warnings.Length);
        Assert.StartsWith("line 1: not inside a table", r.Warnings[0]);
        Assert.StartsWith("line 20: ", r.Warnings[19]);
        Assert.Equal("… and 480 more lines that could not be parsed", r.Warnings[20]);
        Assert.All(r.Warnings, w => Assert.True(w.Length <= IptablesSaveLimits.Default.MaxWarningLength, w));
        Assert.Equal((500, 500), (r.Lines, r.FailedLines));
        Assert.True(r.MostlyUnreadable);
    }

    [Fact]
    public async Task Random_bytes_are_mostly_unreadable_even_where_a_line_happens_to_start_with_a_star()
    {
        // Seeded: the same 2 MB every run. About one line in 256 starts with '*', which once opened a "table"
        // whose lines were skipped unread, so random output looked like an empty, healthy rule set.
        var bytes = new byte[2 * 1024 * 1024];
        new Random(16).NextBytes(bytes);
        using var stream = new MemoryStream(bytes);

        var r = await IptablesSaveParser.ParseAsync(stream, null, CancellationToken.None);

        var starLines = Encoding.Latin1.GetString(bytes).Split('\n').Count(l => l.TrimStart().StartsWith('*'));
        Assert.True(starLines > 10, $"only {starLines} lines start with '*'"); // the case this test is about occurs
        Assert.True(r.MostlyUnreadable, $"{r.FailedLines} of {r.Lines} failed");
        Assert.True(r.FailedLines > r.Lines * 9L / 10, $"{r.FailedLines} of {r.Lines} failed");
        Assert.Empty(r.Rules);
    }

    [Fact]
    public void Lines_of_tables_that_are_not_kept_are_skipped_but_garbage_among_them_still_fails()
    {
        var r = IptablesSaveParser.Parse("*mangle\n:PREROUTING ACCEPT [0:0]\n[0:0] -A PREROUTING -j MARK --set-mark 1\nnot a rule\nCOMMIT\n",
            IptablesSaveLimits.Default with { Tables = new HashSet<string> { "nat" } });
        Assert.Empty(r.Rules);
        Assert.Equal(1, r.FailedLines);
        Assert.StartsWith("line 4: not a chain declaration", Assert.Single(r.Warnings));
    }

    [Fact]
    public void A_few_bad_lines_among_good_ones_are_not_mostly_unreadable()
    {
        var r = IptablesSaveParser.Parse(Rules(10) + "junk\n");
        Assert.Equal(10, r.Rules.Length);
        Assert.Equal(1, r.FailedLines);
        Assert.False(r.MostlyUnreadable);
        Assert.Null(r.Truncated);
    }

    [Fact]
    public void Rules_beyond_the_limit_stop_the_read_and_say_so()
    {
        var r = IptablesSaveParser.Parse(Rules(1000), IptablesSaveLimits.Default with { MaxRules = 100 });
        Assert.Equal(100, r.Rules.Length);
        Assert.Equal("more than 100 rules: only the first 100 were read", r.Truncated);
        // Cut short on purpose: no "has no COMMIT" complaint about the table left open.
        Assert.DoesNotContain(r.Warnings, w => w.Contains("COMMIT", StringComparison.Ordinal));
    }

    [Fact]
    public void An_overlong_line_is_skipped_with_a_warning_and_the_rest_is_read()
    {
        var text = "*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -m comment --comment " + new string('a', 20_000) + " -j MASQUERADE\n"
            + "-A POSTROUTING -s 10.0.0.0/8 -j MASQUERADE\nCOMMIT\n";
        var r = IptablesSaveParser.Parse(text);
        var rule = Assert.Single(r.Rules);
        Assert.Equal("10.0.0.0/8", rule.Source);
        Assert.Equal("line 3: longer than 8192 characters (20050), skipped", Assert.Single(r.Warnings));
    }

    [Fact]
    public async Task A_stream_of_garbage_without_newlines_is_read_only_up_to_the_byte_limit()
    {
        var limits = IptablesSaveLimits.Default with { MaxBytes = 1024 * 1024 };
        using var endless = new EndlessStream((byte)'z');

        var r = await IptablesSaveParser.ParseAsync(endless, limits, CancellationToken.None);

        Assert.Equal("iptables-save printed more than 1 MiB: only that much was read", r.Truncated);
        Assert.InRange(endless.Served, 1024 * 1024, 1024 * 1024 + 64 * 1024);
        Assert.Empty(r.Rules);
    }

    [Fact]
    public async Task The_stream_parser_reads_what_the_text_parser_reads()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "iptables", "malformed.iptables-save-c.txt"));
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));

        var fromStream = await IptablesSaveParser.ParseAsync(stream, null, CancellationToken.None);
        var fromText = IptablesSaveParser.Parse(text);

        // ToArray: ImmutableArray's own Equals compares the arrays' identity.
        Assert.Equal(fromText.Rules.ToArray(), fromStream.Rules.ToArray());
        Assert.Equal(fromText.Chains.ToArray(), fromStream.Chains.ToArray());
        Assert.Equal(fromText.Warnings.ToArray(), fromStream.Warnings.ToArray());
        Assert.NotEmpty(fromText.Rules);
    }

    [Fact]
    public void Rules_in_a_chain_nothing_jumps_to_are_unreachable_and_chains_reached_by_jump_or_goto_are_live()
    {
        var r = IptablesSaveParser.Parse("""
            *nat
            :PREROUTING ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :DOCKER - [0:0]
            :NESTED - [0:0]
            :ORPHAN - [0:0]
            :ORPHAN-CHILD - [0:0]
            -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
            -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
            -A DOCKER -p tcp -m tcp --dport 81 -g NESTED
            -A NESTED -p tcp -m tcp --dport 81 -j DNAT --to-destination 172.17.0.3:80
            -A ORPHAN -p tcp -m tcp --dport 82 -j DNAT --to-destination 172.17.0.9:80
            -A ORPHAN -j ORPHAN-CHILD
            -A ORPHAN-CHILD -j MASQUERADE
            COMMIT
            """);

        var unreachable = r.Rules.Where(x => !x.Reachable).Select(x => $"{x.Chain} #{x.Position}");
        Assert.Equal(["ORPHAN #1", "ORPHAN #2", "ORPHAN-CHILD #1"], unreachable);
        Assert.Equal(4, r.Rules.Count(x => x.Reachable));
    }

    /// <summary>A stream that never ends, counting what it served.</summary>
    private sealed class EndlessStream(byte fill) : Stream
    {
        public long Served { get; private set; }
        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill(fill);
            Served += count;
            return count;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Served; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
