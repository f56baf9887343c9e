using Microsoft.Extensions.Time.Testing;
using Redundancy.Core.State;

namespace Redundancy.Core.Tests.State;

/// <summary>A commit that runs too long raises an alarm, then faults the node, once per stuck commit.</summary>
public sealed class CommitWatchdogTests
{
    private static readonly TimeSpan Alarm = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Fault = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void CommitPastTheBounds_AlarmThenFaultOnce_ClearedWhenIdle()
    {
        var watchdog = new CommitWatchdog(Alarm, Fault, _time);
        var started = _time.GetTimestamp();

        Assert.Equal(CommitVerdict.None, watchdog.Check(started));
        _time.Advance(Alarm);
        Assert.Equal(CommitVerdict.AlarmRaised, watchdog.Check(started));
        Assert.Equal(CommitVerdict.None, watchdog.Check(started));
        _time.Advance(Fault - Alarm);
        Assert.Equal(CommitVerdict.Fault, watchdog.Check(started));
        Assert.Equal(CommitVerdict.None, watchdog.Check(started));
        Assert.Equal(CommitVerdict.AlarmCleared, watchdog.Check(0));
        Assert.Equal(CommitVerdict.None, watchdog.Check(0));
    }

    [Fact]
    public void FastCommits_NeverAlarm()
    {
        var watchdog = new CommitWatchdog(Alarm, Fault, _time);
        for (var i = 0; i < 100; i++)
        {
            var started = _time.GetTimestamp();
            _time.Advance(Alarm / 2);
            Assert.Equal(CommitVerdict.None, watchdog.Check(started));
            Assert.Equal(CommitVerdict.None, watchdog.Check(0));
        }
    }

    [Fact]
    public void FaultBoundNotAboveTheAlarmBound_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CommitWatchdog(Fault, Alarm, _time));
    }
}
