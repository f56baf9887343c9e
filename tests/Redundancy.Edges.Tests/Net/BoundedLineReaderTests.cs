using System.Text;
using Redundancy.Edges.Net;

namespace Redundancy.Edges.Tests.Net;

public sealed class BoundedLineReaderTests
{
    [Fact]
    public async Task LinesWithinTheLimit_AreReadInOrder()
    {
        using var reader = new BoundedLineReader(new TrickleStream("one\ntwo\r\nthree", 2), 8);
        Assert.Equal((LineStatus.Line, "one"), await reader.ReadLineAsync(default));
        Assert.Equal((LineStatus.Line, "two"), await reader.ReadLineAsync(default));
        Assert.Equal((LineStatus.Line, "three"), await reader.ReadLineAsync(default));
        Assert.Equal(LineStatus.End, (await reader.ReadLineAsync(default)).Status);
    }

    [Fact]
    public async Task LineOverTheLimit_IsRefusedBeforeItEnds_AndTheNextLineIsRead()
    {
        var stream = new TrickleStream(new string('x', 10_000) + "\n{\"op\":\"status\"}\n", 100);
        using var reader = new BoundedLineReader(stream, 1000);

        Assert.Equal((LineStatus.TooLong, (string?)null), await reader.ReadLineAsync(default));
        Assert.True(stream.Position < 1200, $"refused only after reading {stream.Position} bytes");
        Assert.Equal((LineStatus.Line, "{\"op\":\"status\"}"), await reader.ReadLineAsync(default));
    }

    [Fact]
    public async Task LineOfExactlyTheLimit_IsRead_OneByteMoreIsNot()
    {
        using var reader = new BoundedLineReader(new TrickleStream(new string('a', 16) + "\n" + new string('b', 17) + "\nok\n", 5), 16);
        Assert.Equal((LineStatus.Line, new string('a', 16)), await reader.ReadLineAsync(default));
        Assert.Equal(LineStatus.TooLong, (await reader.ReadLineAsync(default)).Status);
        Assert.Equal((LineStatus.Line, "ok"), await reader.ReadLineAsync(default));
    }

    /// <summary>Hands out at most <c>chunk</c> bytes per read, as a socket does.</summary>
    private sealed class TrickleStream(string text, int chunk) : MemoryStream(Encoding.UTF8.GetBytes(text))
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }
}
