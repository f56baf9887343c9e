using Microsoft.Extensions.Time.Testing;
using Redundancy.Agent.Status;
using Redundancy.Protocol.Events;

namespace Redundancy.Agent.Tests;

public sealed class EventStreamTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Read_ReturnsWhatCameAfterTheAskedNumber_InOrder()
    {
        var s = new EventStream("A", _time, capacity: 8);
        for (var i = 0; i < 5; i++)
        {
            s.Publish(NodeEventKind.Storage, $"e{i}");
        }

        var page = s.Read(2);
        Assert.Equal([3L, 4, 5], page.Events.Select(e => e.Sequence));
        Assert.Equal(5, page.Next);
        Assert.Equal(0, page.Missed);
        Assert.Empty(s.Read(5).Events);
        Assert.Equal(5, s.Read(5).Next);
    }

    [Fact]
    public void FullRing_DropsOldestFirst_AndAReaderLearnsHowManyItMissed()
    {
        var s = new EventStream("A", _time, capacity: 4);
        for (var i = 0; i < 10; i++)
        {
            s.Publish(NodeEventKind.Storage, $"e{i}");
        }

        var page = s.Read(0);
        Assert.Equal([7L, 8, 9, 10], page.Events.Select(e => e.Sequence));
        Assert.Equal(6, page.Missed);
        Assert.Equal(6, s.Dropped);
        Assert.Equal(3, s.Read(3).Missed);
    }

    [Fact]
    public async Task WaitAsync_ReturnsWhenAnEventComes_AndAtItsBoundWhenNone()
    {
        var s = new EventStream("A", _time);
        var waiting = s.WaitAsync(0, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        s.Publish(NodeEventKind.Storage, "one");
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));

        var none = s.WaitAsync(1, TimeSpan.FromSeconds(10), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.False(await none.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Alarms_RaisedOnce_ClearedOnce_TheBoardShowsOnlyWhatIsRaised()
    {
        var events = new NodeEvents(new EventStream("A", _time), _time);
        events.Raise("LinkDown", "serial", "serial link down");
        events.Raise("LinkDown", "serial", "serial link down (still)");
        events.Raise("PeerLost", "peer", "peer silent");
        events.Clear("LinkDown", "serial", "serial back");
        events.Clear("LinkDown", "serial", "serial back");

        var alarm = Assert.Single(events.ActiveAlarms);
        Assert.Equal("PeerLost", alarm.Kind);
        Assert.Equal(
            [NodeEventKind.AlarmRaised, NodeEventKind.AlarmRaised, NodeEventKind.AlarmCleared],
            events.Stream.Read(0).Events.Select(e => e.Kind));
    }

    [Fact]
    public void StateWrites_FirstToldAlone_TheRestOfTheWindowInOneEventPerCaller()
    {
        var events = new NodeEvents(new EventStream("A", _time), _time);
        for (ulong i = 1; i <= 500; i++)
        {
            events.StateWritten("set", 0, $"k/{i % 3}", 257, i);
        }

        events.StateWritten("delete", 1000, "k/x", 257, 501);
        Assert.Equal(2, events.Stream.Last); // each caller's first write

        _time.Advance(NodeEvents.WriteWindow);
        var told = events.Stream.Read(2).Events;
        var summary = Assert.Single(told);
        Assert.Equal(0, summary.Uid);
        Assert.Equal("writes", summary.Subject);
        Assert.StartsWith("499 more change(s)", summary.Reason, StringComparison.Ordinal);
        Assert.Contains("sequences 2..500", summary.Reason, StringComparison.Ordinal);

        events.StateWritten("set", 0, "k/1", 257, 502); // a new window: told alone again
        Assert.Equal(4, events.Stream.Last);
    }
}
