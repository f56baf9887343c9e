using Redundancy.Core.Heartbeat;
using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Heartbeat;

/// <summary>Freshness: a frame proves its sender alive only when it echoes a recent frame of ours.</summary>
public sealed class FreshnessTests
{
    private const ulong Ours = 0xA11CE;
    private const long Window = 200;

    private static HeartbeatFrame Echoing(ulong instance, ulong counter) =>
        new(7, 2, Role.Active, 100, Readiness.Hot, HealthFlags.None, 5, 0, 20_000, 0xB0B, 1, instance, counter);

    [Fact]
    public void EchoOfARecentFrameOfOurs_IsFresh()
    {
        var sent = new SentFrames(Ours);
        var counter = sent.Next(sentAt: 1000);

        Assert.True(sent.IsFresh(Echoing(Ours, counter), receivedAt: 1000 + Window, Window));
    }

    [Fact]
    public void EchoOfAFrameSentLongerAgoThanTheWindow_IsNotFresh()
    {
        // A frame held back (or recorded) and replayed later echoes a frame we sent long before.
        var sent = new SentFrames(Ours);
        var counter = sent.Next(sentAt: 1000);

        Assert.False(sent.IsFresh(Echoing(Ours, counter), receivedAt: 1000 + Window + 1, Window));
    }

    [Fact]
    public void EchoOfAnEarlierInstanceOfOurs_IsNotFresh()
    {
        // A recording made before this node restarted echoes the instance it ran as then.
        var before = new SentFrames(0xEA211E2);
        var counter = before.Next(1000);
        var now = new SentFrames(Ours);
        now.Next(1000);

        Assert.False(now.IsFresh(Echoing(0xEA211E2, counter), 1001, Window));
    }

    [Theory]
    [InlineData(0UL)]  // nothing heard
    [InlineData(99UL)] // a counter never sent
    public void EchoOfNothingOrOfACounterNeverSent_IsNotFresh(ulong echoed)
    {
        var sent = new SentFrames(Ours);
        sent.Next(1000);

        Assert.False(sent.IsFresh(Echoing(Ours, echoed), 1001, Window));
    }

    [Fact]
    public void CounterOverwrittenInTheRing_IsNotFresh()
    {
        var sent = new SentFrames(Ours);
        var first = sent.Next(1000);
        for (var i = 0; i < SentFrames.Capacity; i++)
        {
            sent.Next(1000);
        }

        Assert.False(sent.TryGetSentAt(first, out _));
    }

    [Fact]
    public void CountersPast32Bits_KeepTheirSendTimes()
    {
        // Version 1's counter was 32 bits: it wrapped after 2^32 frames and every later frame was a "replay".
        var sent = new SentFrames(Ours, lastCounter: uint.MaxValue - 1);
        var a = sent.Next(10);
        var b = sent.Next(20);
        var c = sent.Next(30);

        Assert.Equal([(ulong)uint.MaxValue, (ulong)uint.MaxValue + 1, (ulong)uint.MaxValue + 2], new[] { a, b, c });
        Assert.True(sent.TryGetSentAt(b, out var bAt));
        Assert.Equal(20, bAt);
        Assert.True(sent.IsFresh(Echoing(Ours, c), 40, Window));
    }

    [Fact]
    public void NewInstance_IsNeverZeroAndDiffersEachRun()
    {
        var instances = Enumerable.Range(0, 100).Select(_ => SentFrames.NewInstance()).ToArray();

        Assert.DoesNotContain(0UL, instances);
        Assert.Equal(instances.Length, instances.Distinct().Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SentFrames(0));
    }
}
