using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Roles;

/// <summary>Maintenance: no automatic takeover on the pair while it holds, whichever node it was turned on at.</summary>
public sealed class RoleStateMachineMaintenanceTests
{
    private static readonly TimeSpan T = RoleHarness.PeerTimeout;

    [Fact]
    public void MaintenanceOnHere_PeerSilent_NoTakeover_AlarmSaysWhy_OffRestoresTheRule()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.Machine.SetMaintenance(true);

        var during = h.Run(T * 3, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.None, during.Kind);
        Assert.Equal(Role.Standby, h.Machine.Role);
        Assert.True(h.IsRaised(AlarmKind.MaintenanceBlocksTakeover, "pair"));
        Assert.True(h.Machine.LinkHealth.HasFlag(HealthFlags.Maintenance));

        h.Machine.SetMaintenance(false);
        var after = h.Step(TimeSpan.FromMilliseconds(1));
        Assert.Equal(DecisionKind.BecomeActive, after.Kind);
        Assert.False(h.IsRaised(AlarmKind.MaintenanceBlocksTakeover, "pair"));
    }

    [Fact]
    public void PeerAnnouncesMaintenance_ThenDies_TheStandbyKeepsIt_AndDoesNotTakeOver()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.PeerHealth = HealthFlags.Maintenance;
        h.PeerMaintenanceVersion = 1;
        h.Run(RoleHarness.Interval * 3, RoleHarness.BothLinks);
        Assert.True(h.Machine.PairInMaintenance);
        Assert.Equal(1u, h.Machine.MaintenanceVersion);
        Assert.Equal(h.PeerId, h.Machine.MaintenanceFrom);

        var silent = h.Run(T * 3, RoleHarness.NoLinks); // kill -9 of the active in maintenance

        Assert.Equal(DecisionKind.None, silent.Kind);
        Assert.Equal(Role.Standby, h.Machine.Role);
        Assert.True(h.IsRaised(AlarmKind.MaintenanceBlocksTakeover, "pair"));
        Assert.True(h.Machine.LinkHealth.HasFlag(HealthFlags.Maintenance)); // and says so in its own heartbeats
    }

    [Fact]
    public void PeerClearsMaintenance_TheStandbyForgetsIt_AndTheOrdinaryRuleHoldsAgain()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.PeerHealth = HealthFlags.Maintenance;
        h.PeerMaintenanceVersion = 1;
        h.Run(RoleHarness.Interval * 3, RoleHarness.BothLinks);
        h.PeerHealth = HealthFlags.None;
        h.PeerMaintenanceVersion = 2;
        h.Run(RoleHarness.Interval * 3, RoleHarness.BothLinks);
        Assert.False(h.Machine.PairInMaintenance);

        h.Run(T - RoleHarness.Interval, RoleHarness.NoLinks);
        var d = h.Step(RoleHarness.Interval * 2);
        Assert.Equal(DecisionKind.BecomeActive, d.Kind);
    }

    [Fact]
    public void SoloStartInMaintenance_IsHeld()
    {
        var h = new RoleHarness(soloStart: true);
        h.Machine.SetMaintenance(true);

        var d = h.Run(RoleHarness.StartupWindow * 2, RoleHarness.NoLinks);

        Assert.Equal(DecisionKind.None, d.Kind);
        Assert.NotEqual(Role.Active, h.Machine.Role);
        Assert.True(h.IsRaised(AlarmKind.MaintenanceBlocksTakeover, "pair"));
    }

    [Fact]
    public void ActiveInMaintenance_KeepsDriving_StepDownsStillHappen()
    {
        var h = RoleHarness.SoloActive();
        h.Machine.SetMaintenance(true);

        Assert.Equal(DecisionKind.None, h.Run(T * 3, RoleHarness.NoLinks).Kind);
        Assert.Equal(Role.Active, h.Machine.Role);
        Assert.Equal(DecisionKind.BecomeStopping, h.Machine.OnStopRequested("stop").Kind);
    }

    [Fact]
    public void OlderSettingOfThePeer_IsIgnored_NewerWins()
    {
        // Off at the survivor (version 3) while the other node was dead; it comes back announcing its old "on" (version 2).
        var h = RoleHarness.StandbyWithActivePeer();
        h.Machine.RestoreMaintenance(false, 3);
        h.PeerHealth = HealthFlags.Maintenance;
        h.PeerMaintenanceVersion = 2;
        h.Run(RoleHarness.Interval * 3, RoleHarness.BothLinks);
        Assert.False(h.Machine.PairInMaintenance);
        Assert.Equal(3u, h.Machine.MaintenanceVersion);

        h.PeerMaintenanceVersion = 4; // turned on there again, later
        h.Run(RoleHarness.Interval * 3, RoleHarness.BothLinks);
        Assert.True(h.Machine.PairInMaintenance);
        Assert.Equal(4u, h.Machine.MaintenanceVersion);
    }

    [Fact]
    public void SetHere_TakesAVersionNewerThanThePeers()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.PeerMaintenanceVersion = 7;
        h.Run(RoleHarness.Interval * 3, RoleHarness.BothLinks);

        h.Machine.SetMaintenance(true);

        Assert.Equal(8u, h.Machine.MaintenanceVersion);
        Assert.True(h.Machine.PairInMaintenance);
        h.Run(RoleHarness.Interval * 3, RoleHarness.BothLinks); // the peer still says off at 7: older, ignored
        Assert.True(h.Machine.PairInMaintenance);
    }

    [Fact]
    public void SameVersionSetBothWays_OnWins()
    {
        var h = RoleHarness.StandbyWithActivePeer();
        h.Machine.RestoreMaintenance(false, 5);
        h.PeerHealth = HealthFlags.Maintenance;
        h.PeerMaintenanceVersion = 5;

        h.Run(RoleHarness.Interval * 3, RoleHarness.BothLinks);

        Assert.True(h.Machine.PairInMaintenance);
    }
}
