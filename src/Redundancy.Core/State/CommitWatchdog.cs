namespace Redundancy.Core.State;

/// <summary>
/// Judges how long the database has been busy with one commit (the storage thread blocks in <c>fdatasync</c> on a
/// stalling disk, so another thread asks): past the alarm bound it raises an alarm, past the fault bound it says the
/// node must fault, once per stuck commit. Pure: time from the injected <see cref="TimeProvider"/>. Not thread-safe:
/// one caller (the watchdog timer).
/// </summary>
public sealed class CommitWatchdog
{
    private readonly TimeProvider _time;
    private bool _alarm;
    private long _faultedFor;

    /// <summary>Creates the watchdog. <paramref name="faultAfter"/> must exceed <paramref name="alarmAfter"/>, both positive.</summary>
    public CommitWatchdog(TimeSpan alarmAfter, TimeSpan faultAfter, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(alarmAfter, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(faultAfter, alarmAfter);
        AlarmAfter = alarmAfter;
        FaultAfter = faultAfter;
        _time = time;
    }

    /// <summary>The alarm bound.</summary>
    public TimeSpan AlarmAfter { get; }

    /// <summary>The fault bound.</summary>
    public TimeSpan FaultAfter { get; }

    /// <summary>How long the commit judged last had been running (zero when idle).</summary>
    public TimeSpan Busy { get; private set; }

    /// <summary>
    /// Judges the commit that started at timestamp <paramref name="busySince"/> (0: none running). Returns
    /// <see cref="CommitVerdict.Fault"/> once for a commit past the fault bound, <see cref="CommitVerdict.AlarmRaised"/>
    /// once past the alarm bound, <see cref="CommitVerdict.AlarmCleared"/> once no commit is slow any more, else
    /// <see cref="CommitVerdict.None"/>.
    /// </summary>
    public CommitVerdict Check(long busySince)
    {
        Busy = busySince == 0 ? TimeSpan.Zero : _time.GetElapsedTime(busySince);
        if (busySince != 0 && Busy >= FaultAfter && _faultedFor != busySince)
        {
            _faultedFor = busySince;
            _alarm = true;
            return CommitVerdict.Fault;
        }

        if (busySince != 0 && Busy >= AlarmAfter && !_alarm)
        {
            _alarm = true;
            return CommitVerdict.AlarmRaised;
        }

        if (_alarm && Busy < AlarmAfter)
        {
            _alarm = false;
            return CommitVerdict.AlarmCleared;
        }

        return CommitVerdict.None;
    }
}
