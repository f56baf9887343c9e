namespace Redundancy.Core.Replication;

/// <summary>What the active does for a standby that connected, once the common point of their logs is known.</summary>
/// <param name="Kind">Stream, snapshot, or nothing to do.</param>
/// <param name="FromSequence">The first sequence the standby lacks: common sequence + 1, whatever the kind
/// (for <see cref="CatchUpKind.UpToDate"/> it is the next sequence the active will write).</param>
/// <param name="Diverged">The standby holds entries after the common point that the active never saw (a split
/// brain): before it resyncs it moves them, from <paramref name="DivergedFrom"/> to its last, into its conflicts
/// collection and rolls back to the common point.</param>
/// <param name="DivergedFrom">The first of the standby's entries the active never saw (common sequence + 1)
/// when <paramref name="Diverged"/>; 0 otherwise.</param>
public sealed record CatchUpPlan(CatchUpKind Kind, ulong FromSequence, bool Diverged, ulong DivergedFrom)
{
    /// <summary>
    /// Decides the catch-up. <paramref name="commonSequence"/>: from <see cref="CommonPoint.Find"/>;
    /// <paramref name="standbyLast"/>: the standby's last sequence; <paramref name="activeFirstInLog"/>: the
    /// lowest sequence the active's log still holds, 0 when the log is empty (all compacted or nothing written);
    /// <paramref name="activeLast"/>: the active's last sequence.
    /// </summary>
    /// <remarks>
    /// A diverged standby with nothing to receive gets <see cref="CatchUpKind.Stream"/> (it must still roll back),
    /// never <see cref="CatchUpKind.UpToDate"/>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The common sequence is beyond either last sequence, or the
    /// log's first sequence is beyond the active's last.</exception>
    public static CatchUpPlan Decide(ulong commonSequence, ulong standbyLast, ulong activeFirstInLog, ulong activeLast)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(commonSequence, standbyLast);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(commonSequence, activeLast);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(activeFirstInLog, activeLast);

        var diverged = standbyLast > commonSequence;
        var from = commonSequence + 1;
        CatchUpKind kind;
        if (commonSequence == activeLast)
        {
            kind = diverged ? CatchUpKind.Stream : CatchUpKind.UpToDate;
        }
        else if (activeFirstInLog == 0 || activeFirstInLog > from)
        {
            kind = CatchUpKind.Snapshot;
        }
        else
        {
            kind = CatchUpKind.Stream;
        }

        return new CatchUpPlan(kind, from, diverged, diverged ? from : 0);
    }
}
