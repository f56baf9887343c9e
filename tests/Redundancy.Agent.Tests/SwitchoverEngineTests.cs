using Redundancy.Agent.Engine;
using Redundancy.Core.Roles;
using Redundancy.Protocol.Events;

namespace Redundancy.Agent.Tests;

/// <summary>The switchover's engine steps, two engines in process on one fake clock: the handover, and the way back when
/// the standby hears it but does not take over.</summary>
public sealed class SwitchoverEngineTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

    [Fact]
    public void HandOver_TheOldActiveReleasesFirst_TheStandbyDrivesAfter_BothNameTheCaller()
    {
        using var rig = Redundant();
        var epoch = Start(rig, uid: 1234);
        rig.A.Bank.ClearCalls();
        rig.B.Bank.ClearCalls();

        var handed = Command(rig.A, new EngineCommand(EngineCommandKind.HandOver, "test", 1234) { Epoch = epoch, Force = true });
        Assert.True(handed.Accepted, handed.Text);
        Assert.True(rig.RunUntil(() => rig.B.Role == Role.Active, Limit));

        var released = rig.A.Bank.Timed.First(c => c.Call == "ReleaseAll").At;
        var driven = rig.B.Bank.Timed.First(c => c.Call.StartsWith("Drive(", StringComparison.Ordinal)).At;
        Assert.True(released <= driven, "the new active drove before the old one released");
        Assert.Equal(Role.Standby, rig.A.Role);
        Assert.Contains("uid 1234", rig.B.RoleChanges.Last(e => e.To == "Active").Reason);
        Assert.Contains("uid 1234", rig.A.RoleChanges.Last(e => e.To == "Standby").Reason);
        Assert.True(rig.RunUntil(() => rig.A.Engine.Switchover.PeerActiveAt != 0, Limit), "the old active never heard the new one");
    }

    [Fact]
    public void StandbyHearsTheHandoverButWillNotTakeOver_TheOldActiveResumesAfterTwoPeerTimeouts_WithAnAlarmOnTheStandby()
    {
        using var rig = Redundant();
        var epoch = Start(rig, uid: 1234);
        rig.B.Bank.Interlock = InterlockInput.PeerDriving; // its wiring says A still drives: it must not take over

        var handedAt = rig.Time.GetTimestamp();
        var handed = Command(rig.A, new EngineCommand(EngineCommandKind.HandOver, "test", 1234) { Epoch = epoch, Force = true });
        Assert.True(handed.Accepted, handed.Text);
        Assert.Equal(Role.Standby, rig.A.Role);

        Assert.True(rig.RunUntil(() => rig.A.Role == Role.Active, Limit));

        Assert.True(rig.Time.GetElapsedTime(handedAt) >= EngineRig.Timeout * 2, $"resumed after {rig.Time.GetElapsedTime(handedAt)}");
        Assert.Contains("not confirmed", rig.A.RoleChanges.Last(e => e.To == "Active").Reason);
        Assert.Equal(Role.Standby, rig.B.Role);
        Assert.Contains(rig.B.Events.Stream.Read(0).Events, e => e.Kind == NodeEventKind.AlarmRaised && e.Alarm == "HandoverRefused");
        Assert.True(rig.A.Engine.View.Announcement.Epoch > epoch);
    }

    [Fact]
    public void HandOver_WhoseAnnouncementWaitsForASlowEffect_GivesThePeerTwoTimeoutsFromTheAnnouncement_NotFromTheCommand()
    {
        // The system IP's removal runs before a step-down is announced (bounded by one peer timeout): the peer learns of
        // the handover only then. A handover timeout counted from the command left a starved new active less than one
        // timeout before the old one resumed beside it (41.8 ms of both driving in one bench run).
        using var rig = new EngineRig(startB: false, startA: false);
        var hung = new HungSlowEffect();
        rig.A.Engine.AddSlowEffect(Core.Effects.SlowStep.BeforeStepDownAnnounced, hung, first: true);
        rig.A.Begin();
        rig.B.Begin();
        Assert.True(rig.RunUntil(() => rig.A.Role == Role.Active && rig.B.Role == Role.Standby, Limit));
        rig.Run(EngineRig.Interval * 3);
        var epoch = Start(rig, uid: 1234);

        rig.B.Running = false; // the new active is starved from the command on
        var handed = Command(rig.A, new EngineCommand(EngineCommandKind.HandOver, "test", 1234) { Epoch = epoch, Force = true });
        Assert.True(handed.Accepted, handed.Text);
        rig.A.Bank.ClearCalls();

        // The announcement goes out when the removal's bound (one peer timeout) is over; B runs again just past two
        // timeouts from the command, well within two from the announcement.
        rig.Run(EngineRig.Timeout * 2 + TimeSpan.FromMilliseconds(5));
        rig.B.Running = true;
        Assert.True(rig.RunUntil(() => rig.B.Role == Role.Active, Limit),
            $"B never took over; A: {string.Join("; ", rig.A.RoleChanges.Select(e => $"{e.From}->{e.To} ({e.Reason})"))}");
        rig.Run(EngineRig.Timeout * 3);

        Assert.Equal(Role.Standby, rig.A.Role);
        Assert.Equal(Role.Active, rig.B.Role);
        Assert.DoesNotContain(rig.A.Bank.Timed, c => c.Call.StartsWith("Drive(", StringComparison.Ordinal));
        Assert.DoesNotContain(rig.A.RoleChanges, e => e.To == "Active" && e.Reason.Contains("not confirmed", StringComparison.Ordinal));
    }

    /// <summary>A slow effect that runs until cancelled (a netlink request that never answers).</summary>
    private sealed class HungSlowEffect : Effects.ISlowEffect
    {
        public string Name => "hung";

        public Task RunAsync(Core.Effects.Effect effect, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
    }

    [Fact]
    public void SwitchoverRefused_ByTheEngine_WhenThePairIsInMaintenance_AndWhenAStandbyIsAsked()
    {
        using var rig = Redundant();
        var onB = Command(rig.B, new EngineCommand(EngineCommandKind.Switchover, "test", 0));
        Assert.False(onB.Accepted);
        Assert.Contains("not Active", onB.Text);

        Assert.True(Command(rig.A, new EngineCommand(EngineCommandKind.Maintenance, "test", 0) { On = true }).Accepted);
        var refused = Command(rig.A, new EngineCommand(EngineCommandKind.Switchover, "test", 0) { Force = true });
        Assert.False(refused.Accepted);
        Assert.Contains("maintenance", refused.Text);
    }

    private static EngineRig Redundant()
    {
        var rig = new EngineRig();
        Assert.True(rig.RunUntil(() => rig.A.Role == Role.Active && rig.B.Role == Role.Standby, Limit));
        rig.Run(EngineRig.Interval * 3);
        return rig;
    }

    private static ulong Start(EngineRig rig, int uid)
    {
        // Forced: these engines have no database, so the standby reports no replica (a real one is hot).
        var start = Command(rig.A, new EngineCommand(EngineCommandKind.Switchover, "test", uid) { Force = true });
        Assert.True(start.Accepted, start.Text);
        return start.Epoch;
    }

    /// <summary>Sends <paramref name="command"/> to <paramref name="node"/>'s engine and steps it once: the engine
    /// answers within that step.</summary>
    private static CommandReply Command(EngineRig.RigNode node, EngineCommand command)
    {
        var reply = node.Engine.Send(command);
        node.Step();
        Assert.True(reply.IsCompleted, "the engine did not answer within one step");
        return reply.GetAwaiter().GetResult();
    }
}

/// <summary>The heartbeat senders' schedule under kicks.</summary>
public sealed class HeartbeatScheduleTests
{
    [Fact]
    public void BurstOfKicks_NeverPushesTheNextRegularFrameBeyondOneInterval()
    {
        // Before: each kicked frame moved the due time on by an interval; 30 maintenance toggles in 100 ms silenced the
        // regular frames for 30 intervals and the active's own lease stepped it down ("own engine stalled for 93 ms").
        using var rig = new EngineRig();
        Assert.True(rig.RunUntil(() => rig.A.Role == Role.Active && rig.B.Role == Role.Standby, TimeSpan.FromSeconds(2)));
        var interval = (long)(EngineRig.Interval.TotalSeconds * rig.Time.TimestampFrequency);
        var sender = rig.A.Engine.Links.Sender(0);

        for (var i = 0; i < 30; i++)
        {
            sender.SendNow(rig.Time.GetTimestamp()); // kicked: before it was due
            rig.Time.Advance(TimeSpan.FromMilliseconds(0.1));
        }

        Assert.True(sender.Due - rig.Time.GetTimestamp() <= interval, $"next regular frame {(sender.Due - rig.Time.GetTimestamp()) * 1000.0 / rig.Time.TimestampFrequency:F1} ms away");
    }
}
