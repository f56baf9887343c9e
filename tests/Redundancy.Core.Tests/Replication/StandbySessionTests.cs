using Microsoft.Extensions.Time.Testing;
using Redundancy.Core.Replication;

namespace Redundancy.Core.Tests.Replication;

/// <summary>The standby's connection belongs to its session, not to one term's ledger.</summary>
public sealed class StandbySessionTests
{
    private static readonly TimeSpan SyncTimeout = TimeSpan.FromMilliseconds(1000);
    private static readonly ReplicationLedgerOptions SemiSync = new(ReplicationMode.SemiSync, SyncTimeout, 100_000);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void NewTermWhileTheSessionIsUp_SemiSyncStaysSync_AndWritesWait()
    {
        var connection = new StandbyConnection();
        var term1 = new ReplicationLedger(SemiSync, _time, 0, connection);
        connection.Connect();
        term1.OnAppended(1);
        term1.OnAcked(1);
        term1.Evaluate();

        // The engine stalled, the node stepped down and took over again: a new ledger, the same TCP session.
        var term2 = new ReplicationLedger(SemiSync, _time, 1, connection);
        term2.Evaluate();
        term2.OnAppended(2);
        term2.Evaluate();

        Assert.True(term2.StandbyConnected);
        Assert.False(term2.IsFallenBack);
        Assert.Equal(WriteOutcome.Waiting, term2.Judge(2));
        Assert.Equal(WriteOutcome.Completed, term2.Judge(1));
    }

    [Fact]
    public void StaleSessionEnds_AfterANewerOneCameUp_TheConnectionStaysUp()
    {
        var connection = new StandbyConnection();
        var ledger = new ReplicationLedger(SemiSync, _time, 0, connection);
        var old = connection.Connect();
        var current = connection.Connect(); // the standby reconnected before the old session's cleanup ran

        Assert.False(connection.Disconnect(old));
        ledger.Evaluate();

        Assert.True(ledger.StandbyConnected);
        Assert.False(ledger.IsFallenBack);
        Assert.True(connection.Disconnect(current));
        Assert.False(ledger.StandbyConnected);
    }
}
