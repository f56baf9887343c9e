namespace Redundancy.Core.Configuration;

/// <summary>The <c>storage</c> section and the log's byte bound (<c>replication.retentionBytes</c>).</summary>
public static partial class AgentConfig
{
    private static StorageOptions BuildStorage(AgentConfigFile f, Validator v)
    {
        var d = StorageOptions.Default;
        var s = f.Storage;
        var alarm = v.Range("storage.commitAlarmMs", s?.CommitAlarmMs, 10, 600_000, fallback: (long)d.CommitAlarmAfter.TotalMilliseconds);
        var fault = v.Range("storage.commitFaultMs", s?.CommitFaultMs, 20, 3_600_000, fallback: (long)d.CommitFaultAfter.TotalMilliseconds);
        v.Check("storage.commitFaultMs", fault > alarm,
            $"must be more than storage.commitAlarmMs ({alarm} ms): a slow commit raises the alarm first, and faults the node only later", fault);
        var retry = v.Range("storage.retryIntervalMs", s?.RetryIntervalMs, 100, 3_600_000, fallback: (long)d.RetryInterval.TotalMilliseconds);
        var bytes = v.Range("replication.retentionBytes", f.Replication?.RetentionBytes, 1024 * 1024, 1L << 40, fallback: d.RetentionBytes);
        return new StorageOptions(TimeSpan.FromMilliseconds(alarm), TimeSpan.FromMilliseconds(fault), TimeSpan.FromMilliseconds(retry), bytes);
    }
}
