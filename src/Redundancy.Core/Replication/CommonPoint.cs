namespace Redundancy.Core.Replication;

/// <summary>
/// Finds how much of two change logs is the same. Each sequence is written once by the active of its epoch, so
/// two entries with the same sequence and epoch are the same entry: two logs agree up to <c>s</c> when their
/// histories give every sequence <c>1..s</c> the same epoch (as Raft's log matching rule).
/// </summary>
/// <remarks>
/// A history lists, for each epoch that wrote to the log, its first sequence, sorted by first sequence; the
/// epoch of a sequence is that of the last <see cref="EpochStart"/> at or before it. A sequence before a
/// history's first start has no known epoch and is never taken as shared. Pure and thread-safe.
/// </remarks>
public static class CommonPoint
{
    /// <summary>
    /// The highest sequence <c>s &lt;= min(myLast, theirLast)</c> such that both histories give every sequence
    /// <c>1..s</c> the same epoch; 0 when nothing is shared.
    /// </summary>
    /// <exception cref="ArgumentException">A history is not sorted by first sequence, has an epoch lower than
    /// an earlier one, or a first sequence of 0.</exception>
    public static ulong Find(IReadOnlyList<EpochStart> mine, ulong myLast, IReadOnlyList<EpochStart> theirs, ulong theirLast)
    {
        ArgumentNullException.ThrowIfNull(mine);
        ArgumentNullException.ThrowIfNull(theirs);
        if (Invalid(mine) is { } mineProblem)
        {
            throw new ArgumentException(mineProblem, nameof(mine));
        }

        if (Invalid(theirs) is { } theirsProblem)
        {
            throw new ArgumentException(theirsProblem, nameof(theirs));
        }

        var bound = Math.Min(myLast, theirLast);
        var i = -1;
        var j = -1;
        ulong at = 1;
        while (at <= bound)
        {
            while (i + 1 < mine.Count && mine[i + 1].FirstSequence <= at)
            {
                i++;
            }

            while (j + 1 < theirs.Count && theirs[j + 1].FirstSequence <= at)
            {
                j++;
            }

            if (i < 0 || j < 0 || mine[i].Epoch != theirs[j].Epoch)
            {
                return at - 1;
            }

            // Both epochs hold until either history starts its next epoch.
            var hasNext = false;
            var next = ulong.MaxValue;
            if (i + 1 < mine.Count)
            {
                hasNext = true;
                next = mine[i + 1].FirstSequence;
            }

            if (j + 1 < theirs.Count)
            {
                hasNext = true;
                next = Math.Min(next, theirs[j + 1].FirstSequence);
            }

            if (!hasNext)
            {
                break;
            }

            at = next;
        }

        return bound;
    }

    /// <summary>Whether <paramref name="history"/> is usable by <see cref="Find"/> (sorted, epochs not going back,
    /// no first sequence 0).</summary>
    public static bool IsValidHistory(IReadOnlyList<EpochStart> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        return Invalid(history) is null;
    }

    private static string? Invalid(IReadOnlyList<EpochStart> history)
    {
        for (var k = 0; k < history.Count; k++)
        {
            if (history[k].FirstSequence == 0)
            {
                return $"history entry {k} starts at sequence 0; sequences start at 1";
            }

            if (k > 0 && history[k].FirstSequence < history[k - 1].FirstSequence)
            {
                return $"history is not sorted by first sequence at entry {k}";
            }

            if (k > 0 && history[k].Epoch < history[k - 1].Epoch)
            {
                return $"history goes back from epoch {history[k - 1].Epoch} to {history[k].Epoch} at entry {k}";
            }
        }

        return null;
    }
}
