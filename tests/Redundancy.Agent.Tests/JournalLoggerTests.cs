using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Redundancy.Agent.Hosting;

namespace Redundancy.Agent.Tests;

/// <summary>--log-format journal against a datagram socket in journald's place: one entry per line, with the priority
/// and the message's named values as fields.</summary>
public sealed class JournalLoggerTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"rdy-journal-{Guid.NewGuid():N}.sock");
    private readonly Socket _journal = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public JournalLoggerTests()
    {
        _journal.Bind(new UnixDomainSocketEndPoint(_path));
        _journal.ReceiveTimeout = 5000;
    }

    [Fact]
    public void RoleChange_ArrivesWithPriorityAndRoleEpochReasonFields()
    {
        using (var provider = new JournalLoggerProvider(_path))
        {
            var log = provider.CreateLogger("Redundancy.Agent");
            Log.RoleChanged(log, "A", "Standby", "Active", 12, "peer silent on all links");
        }

        var fields = Receive();
        Assert.Equal("4", fields["PRIORITY"]); // warning
        Assert.Equal("A: role Standby -> Active (epoch 12): peer silent on all links", fields["MESSAGE"]);
        Assert.Equal("401", fields["EVENT_ID"]);
        Assert.Equal("A", fields["NODE"]);
        Assert.Equal("Standby", fields["FROM"]);
        Assert.Equal("Active", fields["TO"]);
        Assert.Equal("12", fields["EPOCH"]);
        Assert.Equal("peer silent on all links", fields["REASON"]);
        Assert.Equal("redundancy-agent", fields["SYSLOG_IDENTIFIER"]);
        Assert.False(fields.ContainsKey("{ORIGINALFORMAT}"));
    }

    [Fact]
    public void ValueNamedLikeAJournalField_DoesNotOverrideIt()
    {
        using (var provider = new JournalLoggerProvider(_path))
        {
            // {Priority} is the node's priority (100), not the entry's (6, information).
            Log.Starting(provider.CreateLogger("Redundancy.Agent"), "A", 7, 1, 100, 3, 9, "00ff", "serial, udp");
        }

        var fields = Receive();
        Assert.Equal("6", fields["PRIORITY"]);
        Assert.Equal("100", fields["REDUNDANCY_PRIORITY"]);
        Assert.Equal("3", fields["EPOCH"]);
    }

    [Fact]
    public void MultiLineValue_UsesTheLengthPrefixedForm()
    {
        using (var provider = new JournalLoggerProvider(_path))
        {
            Log.Crashed(provider.CreateLogger("Redundancy.Agent"), "B", "System.Exception: boom\n   at Somewhere()");
        }

        var fields = Receive();
        Assert.Equal("2", fields["PRIORITY"]); // critical
        Assert.Equal("System.Exception: boom\n   at Somewhere()", fields["ERROR"]);
        Assert.Contains("boom\n   at Somewhere()", fields["MESSAGE"], StringComparison.Ordinal);
    }

    [Fact]
    public void NoJournal_LoggingNeitherThrowsNorBlocks()
    {
        using var provider = new JournalLoggerProvider(_path + ".absent");
        var log = provider.CreateLogger("x");
        for (var i = 0; i < 1000; i++)
        {
            Log.ConfigWarning(log, "A", "no journal here");
        }

        provider.Dispose();
        Assert.Equal(1000, provider.Failed + provider.Dropped);
    }

    public void Dispose()
    {
        _journal.Dispose();
        File.Delete(_path);
    }

    /// <summary>One datagram in journald's native format.</summary>
    private Dictionary<string, string> Receive()
    {
        var buffer = new byte[65536];
        var n = _journal.Receive(buffer);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var span = buffer.AsSpan(0, n);
        while (span.Length > 0)
        {
            var end = span.IndexOfAny((byte)'=', (byte)'\n');
            var key = Encoding.UTF8.GetString(span[..end]);
            if (span[end] == (byte)'=')
            {
                var line = span[(end + 1)..].IndexOf((byte)'\n');
                Assert.True(fields.TryAdd(key, Encoding.UTF8.GetString(span.Slice(end + 1, line))), $"{key} twice");
                span = span[(end + 2 + line)..];
            }
            else
            {
                var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(span.Slice(end + 1, 8));
                fields[key] = Encoding.UTF8.GetString(span.Slice(end + 9, length));
                span = span[(end + 10 + length)..];
            }
        }

        return fields;
    }
}
