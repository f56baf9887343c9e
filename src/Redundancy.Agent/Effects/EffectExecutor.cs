using Redundancy.Core.Effects;
using Redundancy.Edges.Outputs;
using Redundancy.Edges.Storage;

namespace Redundancy.Agent.Effects;

/// <summary>
/// Runs a plan of effects in its order: fast effects inline on the engine thread (GPIO, handing the term to the
/// storage thread, announcing), slow ones queued on the <see cref="SlowLane"/>. A slow effect marked
/// <see cref="Effect.Await"/> holds the rest of the plan until its completion comes back as an input, or its bound
/// passes, or a newer plan comes (each of the last two with an event). Owned by the engine thread.
/// </summary>
internal sealed class EffectExecutor
{
    private readonly IOutputBank? _bank;
    private readonly ITermGate? _terms;
    private readonly SlowLane? _lane;
    private readonly IEffectObserver _observer;
    private readonly TimeProvider _time;
    private readonly Effect[] _rest;
    private int _restCount;
    private int _waitingSlot = -1;
    private long _waitUntil;
    private bool _holding;
    private long _holdUntil;

    public EffectExecutor(IOutputBank? bank, ITermGate? terms, SlowLane? lane, IEffectObserver observer, TimeProvider time, int maxPlan = 64)
    {
        _bank = bank;
        _terms = terms;
        _lane = lane;
        _observer = observer;
        _time = time;
        _rest = new Effect[maxPlan];
    }

    /// <summary>When an output was last driven by a plan (a timestamp), or 0.</summary>
    public long LastDrivenAt { get; private set; }

    /// <summary>Whether part of a plan waits: for a slow effect, or in an unfenced takeover's hold.</summary>
    public bool Waiting => _waitingSlot >= 0 || _holding;

    /// <summary>Whether an unfenced takeover holds its drives (<see cref="EffectKind.Hold"/>).</summary>
    public bool Holding => _holding;

    /// <summary>When the hold ends (a timestamp), while <see cref="Holding"/>.</summary>
    public long HoldUntil => _holdUntil;

    /// <summary>
    /// Ends a hold now: the rest of the held plan runs, with its drives when <paramref name="drive"/>, or without them
    /// (a newer decision came during the hold: the peer answered with a higher epoch, so this node never drives).
    /// </summary>
    public ExecutionResult FinishHeld(bool drive)
    {
        if (!_holding)
        {
            return default;
        }

        _holding = false;
        if (!drive)
        {
            var kept = 0;
            for (var i = 0; i < _restCount; i++)
            {
                if (_rest[i].Kind is not (EffectKind.Drive or EffectKind.AlarmStateNotAgreed))
                {
                    _rest[kept++] = _rest[i];
                }
            }

            _restCount = kept;
        }

        return ResumeRest();
    }

    /// <summary>
    /// Runs <paramref name="plan"/>; a failure of a takeover's own steps (assert, life, drive) stops the plan and is
    /// returned, for the engine to fault on. A plan still waiting from before is finished first, without its wait.
    /// </summary>
    public ExecutionResult Run(ReadOnlySpan<Effect> plan)
    {
        if (_holding)
        {
            FinishHeld(drive: false); // the engine finishes a hold itself first; this only keeps the order safe
        }

        if (_waitingSlot >= 0)
        {
            _observer.SlowEffectFailed($"{_lane!.NameOf(_waitingSlot)}: not awaited any longer, a newer decision came");
            ResumeRest();
        }

        return RunFrom(plan);
    }

    /// <summary>A slow effect completed (its input reached the engine): a plan waiting for it goes on.</summary>
    public ExecutionResult OnSlowDone(int slot, bool ok, string? error)
    {
        if (!ok)
        {
            _observer.SlowEffectFailed(error ?? $"{_lane?.NameOf(slot)} failed");
        }

        return Waiting && slot == _waitingSlot ? ResumeRest() : default;
    }

    /// <summary>Called every loop: past the bound, a waiting plan goes on without its slow effect.</summary>
    public ExecutionResult CheckBound(long now)
    {
        if (_holding)
        {
            return now < _holdUntil ? default : FinishHeld(drive: true);
        }

        if (_waitingSlot < 0 || now < _waitUntil)
        {
            return default;
        }

        _observer.SlowEffectFailed($"{_lane!.NameOf(_waitingSlot)}: no completion within {_lane.Bound.TotalMilliseconds:F0} ms; went on without it");
        return ResumeRest();
    }

    /// <summary>Drives every output to <paramref name="values"/> (the active, when the control state changed one).</summary>
    public void DriveAll(ReadOnlySpan<bool> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            _bank?.Drive(i, values[i]);
        }
    }

    private ExecutionResult ResumeRest()
    {
        _waitingSlot = -1;
        Span<Effect> rest = stackalloc Effect[_restCount];
        _rest.AsSpan(0, _restCount).CopyTo(rest);
        _restCount = 0;
        return RunFrom(rest);
    }

    private ExecutionResult RunFrom(ReadOnlySpan<Effect> plan)
    {
        long drivenAt = 0;
        for (var i = 0; i < plan.Length; i++)
        {
            var e = plan[i];
            try
            {
                switch (e.Kind)
                {
                    case EffectKind.AssertActive:
                        Bank().AssertActive();
                        break;
                    case EffectKind.StartLife:
                        Bank().ToggleLife();
                        break;
                    case EffectKind.Drive:
                        Bank().Drive(e.Output, e.Value);
                        drivenAt = _time.GetTimestamp();
                        LastDrivenAt = drivenAt;
                        break;
                    case EffectKind.AlarmStateNotAgreed:
                        _observer.StateNotAgreed();
                        break;
                    case EffectKind.StartTerm:
                        _terms?.StartWrites(e.Epoch);
                        break;
                    case EffectKind.StopWrites:
                        _terms?.StopWrites();
                        break;
                    case EffectKind.ReleaseOutputs:
                        Release();
                        break;
                    case EffectKind.DropActive:
                        DropActive();
                        break;
                    case EffectKind.Announce:
                        _observer.Announce(e.Epoch);
                        break;
                    case EffectKind.Herald:
                        _observer.Herald(e.Epoch);
                        break;
                    case EffectKind.Hold when i + 1 < plan.Length:
                        _holding = true;
                        _holdUntil = _time.GetTimestamp() + (long)(e.Hold.TotalSeconds * _time.TimestampFrequency);
                        plan[(i + 1)..].CopyTo(_rest);
                        _restCount = plan.Length - i - 1;
                        return new ExecutionResult(null, drivenAt);
                    case EffectKind.Slow:
                        if (_lane is null || !_lane.Enqueue(e))
                        {
                            _observer.SlowEffectFailed($"{_lane?.NameOf(e.Slot) ?? "slow effect"}: not queued (no handler, or 64 waiting)");
                            break;
                        }

                        if (e.Await && i + 1 < plan.Length)
                        {
                            _waitingSlot = e.Slot;
                            _waitUntil = _time.GetTimestamp() + (long)(_lane.Bound.TotalSeconds * _time.TimestampFrequency);
                            plan[(i + 1)..].CopyTo(_rest);
                            _restCount = plan.Length - i - 1;
                            return new ExecutionResult(null, drivenAt);
                        }

                        break;
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or StorageException or UnauthorizedAccessException)
            {
                // A takeover that cannot assert or drive must not go on as active: the engine faults the node.
                return new ExecutionResult($"{e}: {ex.Message}", drivenAt);
            }
        }

        if (drivenAt == 0)
        {
            drivenAt = _time.GetTimestamp();
        }

        return new ExecutionResult(null, drivenAt);
    }

    private IOutputBank Bank() => _bank ?? throw new InvalidOperationException("no outputs");

    // Step-down: a failure to release is reported and the plan goes on (drop "I am active", announce).
    private void Release()
    {
        try
        {
            _bank?.ReleaseAll();
            _observer.OutputsReleased();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            _observer.OutputsFailed(ex.Message);
        }
    }

    private void DropActive()
    {
        try
        {
            _bank?.DropActive();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            _observer.OutputsFailed(ex.Message);
        }
    }
}

/// <summary>How running a plan went.</summary>
/// <param name="Failure">Why a takeover's own step failed (the engine faults the node); null when it did not.</param>
/// <param name="DrivenAt">When the last output was driven (or the plan ended), a timestamp; 0 when nothing ran.</param>
internal readonly record struct ExecutionResult(string? Failure, long DrivenAt);
