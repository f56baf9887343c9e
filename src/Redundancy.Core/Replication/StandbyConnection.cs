namespace Redundancy.Core.Replication;

/// <summary>
/// Whether the standby's replication connection is up, owned by the sessions that make it, not by one term's
/// <see cref="ReplicationLedger"/>: a term change (a new ledger) keeps it, and only the session that is current may end
/// it, so a stale session's cleanup never clears a newer one's. Not thread-safe: used under the ledger's lock.
/// </summary>
public sealed class StandbyConnection
{
    private long _current;

    /// <summary>The number of the newest session (0 before the first).</summary>
    public long Current => _current;

    /// <summary>Whether a session is up.</summary>
    public bool Connected { get; private set; }

    /// <summary>The highest sequence the current session's standby acknowledged (0 when none or not connected).</summary>
    public ulong Acked { get; private set; }

    /// <summary>A session came up; returns its number, which <see cref="Disconnect"/> takes.</summary>
    public long Connect()
    {
        _current++;
        Connected = true;
        Acked = 0;
        return _current;
    }

    /// <summary>Session <paramref name="session"/> ended. Returns whether it was the current one (and so the
    /// connection is now down); a stale session's end changes nothing.</summary>
    public bool Disconnect(long session)
    {
        if (session != _current || !Connected)
        {
            return false;
        }

        Connected = false;
        Acked = 0;
        return true;
    }

    /// <summary>The current session's standby acknowledged up to <paramref name="sequence"/>.</summary>
    public void OnAcked(ulong sequence)
    {
        if (Connected && sequence > Acked)
        {
            Acked = sequence;
        }
    }
}
