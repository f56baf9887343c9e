using Redundancy.Core.Effects;
using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Effects;

/// <summary>When the remaining active announces the system IP again: once per heal, never on a standby.</summary>
public sealed class HealWatchTests
{
    [Fact]
    public void BothActive_ThenThePeerYields_ReportsOnce()
    {
        var watch = new HealWatch();
        Assert.False(watch.Note(Role.Active, peerFresh: true, Role.Active)); // links back: two actives
        Assert.True(watch.Pending);

        Assert.True(watch.Note(Role.Active, peerFresh: true, Role.Standby)); // the loser yielded
        Assert.False(watch.Note(Role.Active, peerFresh: true, Role.Standby));
        Assert.False(watch.Pending);
    }

    [Fact]
    public void PeerSilent_ThenHeardAgainAsStandby_Reports()
    {
        var watch = new HealWatch();
        Assert.False(watch.Note(Role.Active, peerFresh: true, Role.Standby)); // a healthy pair: nothing
        Assert.False(watch.Note(Role.Active, peerFresh: false, Role.Standby));

        Assert.True(watch.Note(Role.Active, peerFresh: true, Role.Starting));
    }

    [Fact]
    public void ANodeThatStepsDown_ReportsNothing_EvenWhenThePeerWasActive()
    {
        var watch = new HealWatch();
        watch.Note(Role.Active, peerFresh: true, Role.Active);

        Assert.False(watch.Note(Role.Standby, peerFresh: true, Role.Active));
        Assert.False(watch.Note(Role.Standby, peerFresh: true, Role.Standby));
        Assert.False(watch.Pending);
    }
}
