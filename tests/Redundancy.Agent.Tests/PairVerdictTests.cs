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
