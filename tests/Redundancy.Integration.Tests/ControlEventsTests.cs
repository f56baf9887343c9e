using System.Diagnostics;
using Redundancy.Protocol.Control;
using Redundancy.Protocol.Events;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>The events op of real agents: what a node retained, what it dropped, and the bounded long-poll.</summary>
[Collection("pair")]
public sealed class ControlEventsTests
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500 };

    [Fact]
    public void EventsSince0_OnTheActive_HoldItsRoleChangeToActive_WithAReason_NumberedWithoutGaps()
    {
        using var pair = PairHarness.StartPair(Spec);
        var active = pair.A.Role == "Active" ? "A" : "B";
        using var c = pair.Control(active);

        var page = c.Events(0);

        Assert.True(page.Ok, page.Error);
        var events = page.Events!;
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(NodeEventKind.Started, events[0].Kind);
        var toActive = Assert.Single(events, e => e.Kind == NodeEventKind.RoleChanged && e.To == "Active");
        Assert.False(string.IsNullOrWhiteSpace(toActive.Reason), toActive.ToString());
        Assert.NotNull(toActive.From);
        Assert.True(toActive.Epoch > 0, toActive.ToString());
        Assert.All(events, e => Assert.Equal(active, e.Node));
        Assert.Equal(0, page.Missed);
        Assert.Equal(events[^1].Sequence, page.Next);
        Assert.True(page.Last >= page.Next);
        Assert.True(c.Status().LastEventSequence >= page.Next);
    }

    [Fact]
    public void ThousandsOfWrites_DoNotPushTheRoleChangeOut_TheyAreToldPerCallerAndSecond()
    {
        using var pair = PairHarness.Create(Spec with { SoloStart = true, ReplicationMode = null });
        pair.StartAgent("A");
        Assert.True(pair.A.WaitForRole("Active", Wait) is not null, Tail(pair));
        using var c = pair.Control("A");

        // More writes than the ring holds events (1024): before, each was an event and they pushed the role
        // change out within a second of a control application's writing.
        for (var i = 0; i < 1100; i++)
        {
            Assert.True(c.Set($"k/{i % 10}", $"{i}").Ok);
        }

        // Each window's first write alone, the rest of it in one event when it ends: every write told, by uid.
        static long Told(IEnumerable<NodeEvent> writes) =>
            writes.Sum(e => e.Subject == "writes" ? long.Parse(e.Reason.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) : 1);
        Assert.True(Eventually(() => Told(c.Events(0).Events!.Where(e => e.Kind == NodeEventKind.Command)) == 1100, Wait), "not every write was told");
        var all = c.Events(0);
        Assert.Equal(0, all.Missed);
        Assert.Equal(0, pair.A.MissedEvents); // the harness's follower read along and lost none either
        Assert.Contains(all.Events!, e => e.Kind == NodeEventKind.RoleChanged && e.To == "Active");
        var writes = all.Events!.Where(e => e.Kind == NodeEventKind.Command).ToArray();
        Assert.All(writes, e => Assert.Equal(0, e.Uid));
        Assert.True(writes.Length < 100, $"{writes.Length} events for 1100 writes");
    }

    [Fact]
    public async Task LongPoll_AnswersAsSoonAsAnEventComes()
    {
        using var pair = PairHarness.StartPair(Spec);
        var active = pair.A.Role == "Active" ? "A" : "B";
        using var poller = pair.Control(active);
        using var writer = pair.Control(active);
        var since = poller.Events().Last;

        var poll = Task.Run(() => poller.Events(since, waitMs: 20_000));
        await Task.Delay(300);
        var early = poll.IsCompleted && (await poll).Events!.Any(e => e.Kind == NodeEventKind.Command);
        Assert.False(early, "answered with a command before the write");
        var written = Stopwatch.StartNew();
        Assert.True(writer.Set("setpoints/boiler", "72").Ok);

        // Another event (a stall under load) may end the wait first: then ask again from its next.
        var found = false;
        while (!found && written.Elapsed < TimeSpan.FromSeconds(5))
        {
            var page = await poll.WaitAsync(TimeSpan.FromSeconds(5));
            found = page.Events!.Any(e => e.Kind == NodeEventKind.Command && e.Subject == "set");
            if (!found)
            {
                poll = Task.Run(() => poller.Events(page.Next, waitMs: 20_000));
            }
        }

        Assert.True(found, "the write's event never came");
        Assert.True(written.Elapsed < TimeSpan.FromSeconds(2), $"answered {written.ElapsedMilliseconds} ms after the write");
    }

    [Fact]
    public void LongPoll_WithoutAnEvent_AnswersAtItsBound_Empty()
    {
        using var pair = PairHarness.StartPair(Spec);
        using var c = pair.Control("A");
        var since = c.Events().Last;

        // A quiet pair publishes nothing for seconds; if an event does come (a stall, or the pair still settling on a
        // loaded machine: 3 attempts were not enough once in a full suite), the next wait is judged instead.
        var seen = new List<string>();
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var clock = Stopwatch.StartNew();
            var page = c.Events(since, waitMs: 800);
            var took = clock.Elapsed;
            if (page.Events!.Count > 0)
            {
                seen.AddRange(page.Events.Select(e => $"{e.Kind} {e.Subject} {e.Reason}"));
                since = page.Next;
                continue;
            }

            Assert.Equal(since, page.Next);
            Assert.True(took >= TimeSpan.FromMilliseconds(750), $"answered after {took.TotalMilliseconds:F0} ms, before its bound");
            Assert.True(took < TimeSpan.FromSeconds(3), $"answered after {took.TotalMilliseconds:F0} ms, long past its bound");
            return;
        }

        Assert.Fail("events kept coming on a quiet pair: " + string.Join("; ", seen.TakeLast(12)));
    }

    [Fact]
    public void LongPollLongerThanTheBound_IsRefused_AndTheConnectionServesOn()
    {
        using var pair = PairHarness.StartPair(Spec);
        using var c = pair.Control("A");

        var refused = c.SendLine("""{"op":"events","since":0,"waitMs":60000}""");

        Assert.False(refused.Ok);
        Assert.Contains("\"waitMs\" must be a whole number of milliseconds from 0 to 30000", refused.Error);
        Assert.True(c.Events(0).Ok);
    }

    [Theory]
    [InlineData("""{"op":"status","v":2}""", "protocol version 2 is not supported: this agent speaks version 1")]
    [InlineData("""{"op":"reboot"}""", "unknown op 'reboot': use set, delete, get, list, conflicts, status, diagnostics, events, maintenance, switchover, drill or release-startup")]
    public void RequestTheAgentDoesNotSpeak_IsAnsweredWithAClearError(string line, string expected)
    {
        using var pair = PairHarness.StartPair(Spec);
        using var c = pair.Control("A");

        var answer = c.SendLine(line);

        Assert.False(answer.Ok);
        Assert.Equal(expected, answer.Error);
        Assert.Equal(ControlProtocol.Version, answer.V);
        Assert.Equal("A", c.Status().Node);
    }

    private static string Tail(PairHarness pair) => "\n" + string.Join('\n', pair.A.Lines.TakeLast(25));
}
