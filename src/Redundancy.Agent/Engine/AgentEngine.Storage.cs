using Redundancy.Agent.State;
using Redundancy.Core.Roles;

namespace Redundancy.Agent.Engine;

/// <summary>
/// The database's health as the engine sees it: a failed database faults the node (an active hands over); one that
/// works again (<see cref="StorageWorker.Recovered"/>) brings it back as a standby, with no hand needed; a slow commit
/// raises an alarm. And whether the state is agreed with the active, which decides what a takeover drives.
/// </summary>
internal sealed partial class AgentEngine
{
    private volatile bool _storageRecovered;
    private bool _faultedByStorage;

    /// <summary>
    /// Whether this node's control state is agreed with the pair's: false while a split brain's resync has not
    /// installed its snapshot (the state may still hold entries the active never wrote). Read on the engine thread.
    /// </summary>
    private bool StateAgreed => _storage is null || !_storage.Store.NeedsSnapshot;

    private void WatchStorage(StorageWorker? storage)
    {
        if (storage is null)
        {
            return;
        }

        storage.SubscriberFailed += ex => Log.CommitSubscriberFailed(_log, _node, ex.ToString());
        storage.Failed += error =>
        {
            _storageRecovered = false;
            _storageFault = error;
            _inbox.Wake.Set();
        };
        storage.Recovered += () =>
        {
            _storageRecovered = true;
            _inbox.Wake.Set();
        };
        storage.Note += text => Log.StorageNote(_log, _node, text);
        storage.SlowCommit += (raised, text) =>
        {
            if (raised)
            {
                Log.AlarmRaised(_log, _node, "StorageSlow", "storage", text);
            }
            else
            {
                Log.AlarmCleared(_log, _node, "StorageSlow", "storage", text);
            }
        };
    }

    /// <summary>On the engine thread, every iteration: fault on a failed database, rejoin when it works again.</summary>
    private void CheckStorage()
    {
        if (_storageRecovered && _storage?.Fault is null)
        {
            _storageRecovered = false;
            var cause = _storageFault;
            _storageFault = null;
            if (_faultedByStorage && _machine.Role == Role.Faulted)
            {
                _faultedByStorage = false;
                Log.AlarmCleared(_log, _node, "StorageFault", "storage", $"the database works again (was: {cause})");
                Execute(_machine.OnFaultCleared($"storage works again after: {cause}"));
            }

            return;
        }

        if (_storageFault is { } storageFault && _machine.Role is not (Role.Faulted or Role.Stopping))
        {
            _faultedByStorage = true;
            Log.AlarmRaised(_log, _node, "StorageFault", "storage", $"{storageFault}; retrying it every {_options.Storage.RetryInterval.TotalSeconds:F0} s");
            Fault($"storage: {storageFault}");
        }
    }
}
