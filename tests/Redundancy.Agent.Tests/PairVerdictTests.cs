using Redundancy.Cli;
using Redundancy.Protocol.Status;

namespace Redundancy.Agent.Tests;

/// <summary>redundancyctl's judgement of the pair from one node's status: the summary line and the exit code.</summary>
public sealed class PairVerdictTests
{
    private static NodeStatus Status(string role = "Active", string readiness = "Hot", PeerStatus? peer = null, bool serialUp = true, IReadOnlyList<AlarmStatus>? alarms = null) => new()
    {
        Node = "A", NodeId = 1, PairId = 7, Version = "test", StartedAt = DateTimeOffset.UnixEpoch, UptimeSeconds = 1,
        Role = role, Epoch = 257, Readiness = readiness, ServiceLevel = 255, Mode = "primary-with-backup",
        LastSequence = 0, StorageCommits = 0, StorageEntries = 0, RoleChanges = 1, LastEventSequence = 1,
        Peer = peer,
        Links = [new LinkStatus("serial", serialUp, 50, 1, 1, null, 0, new Dictionary<string, long>()), new LinkStatus("udp", true, 50, 1, 1, null, 0, new Dictionary<string, long>())],
        Outputs = [],
        Alarms = alarms ?? [],
    };

    private static PeerStatus Peer(string role, string readiness) => new(2, role, readiness, 0);

    [Fact]
    public void ActiveWithAHotStandby_AllLinksUp_NoAlarm_IsRedundant_Exit0()
    {
        var v = PairVerdict.Of(Status(peer: Peer("Standby", "Hot")));
        Assert.Equal("redundant", v.Verdict);
        Assert.Equal(0, v.ExitCode);
        Assert.Equal("pair 7: A active, node 2 standby hot, redundant", v.Summary);
    }

    [Fact]
    public void StandbyHeardFromTheStandbySide_IsRedundantToo()
    {
        var v = PairVerdict.Of(Status(role: "Standby", readiness: "Hot", peer: Peer("Active", "Hot")));
        Assert.Equal(0, v.ExitCode);
        Assert.Equal("pair 7: A standby hot, node 2 active, redundant", v.Summary);
    }

    [Theory]
    [InlineData("Warm")]
    [InlineData("NotReady")]
    public void StandbyNotHot_IsDegraded_Exit1_SayingWhy(string readiness)
    {
        var v = PairVerdict.Of(Status(peer: Peer("Standby", readiness)));
        Assert.Equal(1, v.ExitCode);
        Assert.Contains(v.Reasons, r => r.StartsWith("the standby is", StringComparison.Ordinal) && r.EndsWith("not hot", StringComparison.Ordinal));
    }

    [Fact]
    public void OneLinkDown_OrAnAlarm_IsDegraded()
    {
        Assert.Equal(1, PairVerdict.Of(Status(peer: Peer("Standby", "Hot"), serialUp: false)).ExitCode);
        var alarm = new AlarmStatus("StorageSlow", "storage", "slow", DateTimeOffset.UnixEpoch, 3);
        var v = PairVerdict.Of(Status(peer: Peer("Standby", "Hot"), alarms: [alarm]));
        Assert.Equal(1, v.ExitCode);
        Assert.Contains("alarm StorageSlow (storage): slow", v.Reasons);
    }

    [Fact]
    public void WitnessConfiguredAndNotAnswering_IsDegraded_Exit1_SayingWhere()
    {
        var unreachable = new WitnessStatus("lease", "10.0.0.5:5407", Asking: true, Reachable: false, Holder: null, LeaseRemainingMs: 0, LastAnswerAgeMs: 900);

        var v = PairVerdict.Of(Status(peer: Peer("Standby", "Hot")) with { Witness = unreachable });

        Assert.Equal("degraded", v.Verdict);
        Assert.Equal(1, v.ExitCode);
        Assert.Contains(v.Reasons, r => r.StartsWith("the witness (10.0.0.5:5407) does not answer", StringComparison.Ordinal));
    }

    [Fact]
    public void WitnessAnswering_OrNotAskedByAStandbyThatHearsItsPeer_IsRedundant_Exit0()
    {
        var answering = new WitnessStatus("lease", "10.0.0.5:5407", true, true, 1, 80, 12);
        var notAsked = new WitnessStatus("lease", "10.0.0.5:5407", false, null, null, 0, null);

        Assert.Equal(0, PairVerdict.Of(Status(peer: Peer("Standby", "Hot")) with { Witness = answering }).ExitCode);
        Assert.Equal(0, PairVerdict.Of(Status(role: "Standby", peer: Peer("Active", "Hot")) with { Witness = notAsked }).ExitCode);
    }

    [Fact]
    public void WitnessUnreachableAlarm_AndStatus_GiveOneReasonNotTwo()
    {
        var alarm = new AlarmStatus("WitnessUnreachable", "witness", "the witness does not answer this active node", DateTimeOffset.UnixEpoch, 4);
        var unreachable = new WitnessStatus("lease", "10.0.0.5:5407", true, false, null, 0, null);

        var v = PairVerdict.Of(Status(peer: Peer("Standby", "Hot"), alarms: [alarm]) with { Witness = unreachable });

        Assert.Equal(1, v.ExitCode);
        Assert.Single(v.Reasons);
    }

    [Fact]
    public void StatusScreen_HasAWitnessLine_SayingWhatTheNodeKnows()
    {
        var asking = new WitnessStatus("lease", "10.0.0.5:5407", true, true, 1, 80, 12);
        var notAsked = new WitnessStatus("lease", "10.0.0.5:5407", false, null, null, 0, null);
        var target = new WitnessStatus("tcp-target", "10.0.0.9:502", true, false, null, null, 1500);

        Assert.Equal("lease at 10.0.0.5:5407, reachable, holder node 1, this node's lease 80 ms left, last answer 12 ms ago", StatusText.WitnessLine(asking));
        Assert.Equal("lease at 10.0.0.5:5407, not asked (the peer is heard), no holder known, this node holds no lease, no answer since start", StatusText.WitnessLine(notAsked));
        Assert.Equal("tcp-target at 10.0.0.9:502, NOT ANSWERING, last answer 1500 ms ago", StatusText.WitnessLine(target));
        var screen = Status(peer: Peer("Standby", "Hot")) with { Witness = asking };
        Assert.Contains("Witness: lease at 10.0.0.5:5407, reachable", StatusText.Render(screen, PairVerdict.Of(screen)));
        Assert.DoesNotContain("Witness:", StatusText.Render(Status(peer: Peer("Standby", "Hot")), PairVerdict.Of(Status(peer: Peer("Standby", "Hot")))));
    }

    [Fact]
    public void NoPeer_NoActive_BothActive_OrFaulted_AreNotRedundant_Exit2()
    {
        Assert.Equal(2, PairVerdict.Of(Status()).ExitCode);
        Assert.Equal(2, PairVerdict.Of(Status(role: "Standby", peer: Peer("Standby", "Hot"))).ExitCode);
        Assert.Equal(2, PairVerdict.Of(Status(peer: Peer("Active", "Hot"))).ExitCode);
        var faulted = PairVerdict.Of(Status(role: "Faulted", readiness: "NotReady", peer: Peer("Active", "Hot")));
        Assert.Equal(2, faulted.ExitCode);
        Assert.Contains("NOT REDUNDANT", faulted.Summary);
    }
}
