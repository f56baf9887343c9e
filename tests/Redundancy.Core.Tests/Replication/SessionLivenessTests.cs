using Microsoft.Extensions.Time.Testing;
using Redundancy.Core.Replication;
using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Replication;

public sealed class SessionLivenessTests
{
    private static readonly KeepaliveOptions Options = new() { Interval = TimeSpan.FromMilliseconds(250), SilentAfterMissed = 3, DeadAfterMissed = 6, SendTimeout = TimeSpan.FromSeconds(5) };
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void NothingSentForAnInterval_KeepaliveIsDue_NotBefore()
    {
        var l = new SessionLiveness(Options, _time);
        _time.Advance(TimeSpan.FromMilliseconds(249));
        Assert.False(l.KeepaliveDue);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(l.KeepaliveDue);

        l.SendStarted();
        Assert.False(l.KeepaliveDue); // a send under way: no keepalive behind it
        l.SendEnded();
        Assert.False(l.KeepaliveDue);
    }

    [Fact]
    public void WaitingWithoutAMessage_IsSilentAfterThreeIntervals_DeadAfterSix()
    {
        var l = new SessionLiveness(Options, _time);
        l.ReceiveStarted();
        _time.Advance(TimeSpan.FromMilliseconds(749));
        Assert.Equal(LivenessState.Alive, l.State);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(LivenessState.Silent, l.State);
        _time.Advance(TimeSpan.FromMilliseconds(750));
        Assert.Equal(LivenessState.Dead, l.State);
        Assert.Contains("6 keepalives of 250 ms missed", l.DeathReason);
    }

    [Fact]
    public void KeepalivesArriving_KeepTheSessionAlive()
    {
        var l = new SessionLiveness(Options, _time);
        l.ReceiveStarted();
        for (var i = 0; i < 100; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            l.Received();
            Assert.Equal(LivenessState.Alive, l.State);
        }

        Assert.Null(l.DeathReason);
    }

    [Fact]
    public void NotWaiting_IsNeverSilent()
    {
        // A standby installing a snapshot reads nothing; what waits in its socket is not missing.
        var l = new SessionLiveness(Options, _time);
        l.ReceiveStarted();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        l.Received();
        l.ReceiveEnded();
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(LivenessState.Alive, l.State);

        l.ReceiveStarted(); // the silence counts from the new wait
        _time.Advance(TimeSpan.FromMilliseconds(700));
        Assert.Equal(LivenessState.Alive, l.State);
    }

    [Fact]
    public void SendStuckPastTheTimeout_IsDead()
    {
        var l = new SessionLiveness(Options, _time);
        l.SendStarted();
        _time.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.Equal(LivenessState.Alive, l.State);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(LivenessState.Dead, l.State);
        Assert.Contains("send has not completed", l.DeathReason);
    }

    [Theory]
    [InlineData(true, false, 10UL, 10UL, Readiness.Hot)]
    [InlineData(true, true, 10UL, 10UL, Readiness.Warm)]
    [InlineData(false, true, 10UL, 10UL, Readiness.NotReady)]
    public void SilentStream_IsNeverHot(bool connected, bool silent, ulong applied, ulong activeLast, Readiness expected) =>
        Assert.Equal(expected, StandbyReadiness.Compute(connected, snapshotInProgress: false, applied, activeLast, streamSilent: silent));
}
