using Redundancy.Core.Outputs;
using Redundancy.Core.Roles;
using Redundancy.Edges.Storage;

namespace Redundancy.Agent.Engine;

/// <summary>Carrying out the role state machine's decisions on the outputs, in the safe order.</summary>
internal sealed partial class AgentEngine
{
    private void Execute(Decision d)
    {
        if (!d.IsChange)
        {
            return;
        }

        Interlocked.Increment(ref _roleChanges);
        var decidedAt = _time.GetTimestamp();
        if (d.Kind == DecisionKind.BecomeActive)
        {
            long drivenAt;
            try
            {
                if (_bank is null)
                {
                    throw new InvalidOperationException("no outputs");
                }

                // Takeover order: the interlock was read just before this decision; assert "I am active",
                // start the life signal (closing the watchdog relay), then drive.
                _bank.AssertActive();
                _bank.ToggleLife();

                // A state not agreed with the pair (a split brain's resync cut short) may hold output values the
                // active never wrote: resume nothing from it, whatever the policy.
                var agreed = StateAgreed;
                for (var i = 0; i < _options.Outputs.Count; i++)
                {
                    var channel = _options.Outputs[i];
                    _bank.Drive(i, channel.Takeover == TakeoverPolicy.Safe || !agreed ? channel.SafeValue : _values[i]);
                }

                if (!agreed)
                {
                    Log.AlarmRaised(_log, _node, "StateNotAgreed", "outputs",
                        "took over with a control state not agreed with the pair (a split-brain resync did not finish): every output driven to its safe value, whatever its takeover policy; check the state and write the outputs");
                }

                drivenAt = _time.GetTimestamp();
                _drivenVersion = _values.Version;

                // The storage thread persists the new epoch before it accepts the first write in it; the engine
                // never waits for the disk. A crash before that leaves the old epoch on disk, which only makes
                // the next takeover's epoch come from the peer's announcement instead (max + 1).
                _storage?.StartWrites(d.Epoch);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or StorageException)
            {
                Fault($"takeover failed: {ex.Message}");
                return;
            }

            _nextLife = drivenAt;
            Publish();
            Log.TookOver(_log, _node, d.Epoch, d.Reason, d.DetectionTime?.TotalMilliseconds ?? 0,
                _time.GetElapsedTime(decidedAt, drivenAt).TotalMilliseconds);
            Log.RoleChanged(_log, _node, d.From.ToString(), d.To.ToString(), d.Epoch, d.Reason);
            return;
        }

        if (d.From == Role.Active)
        {
            _storage?.StopWrites();
        }

        if (d.From == Role.Active || d.Kind is DecisionKind.BecomeFaulted or DecisionKind.BecomeStopping)
        {
            // Step-down order: release the field outputs, then drop "I am active".
            try
            {
                _bank?.ReleaseAll();
                _bank?.DropActive();
                Log.OutputsReleased(_log, _node, d.Reason);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
                Log.OutputsFailed(_log, _node, ex.Message);
            }
        }

        Publish();
        Log.RoleChanged(_log, _node, d.From.ToString(), d.To.ToString(), d.Epoch, d.Reason);
    }

    private void Fault(string error)
    {
        Log.Faulted(_log, _node, error);
        EmergencyRelease();
        Execute(_machine.OnLocalFault(error));
    }
}
