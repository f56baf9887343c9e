using System.Threading.Channels;
using Redundancy.Core.Effects;

namespace Redundancy.Agent.Effects;

/// <summary>
/// Runs slow effects one after another, in the order the engine queued them, on the pool (never the engine
/// thread); each completion goes back to the engine as an input through <c>done</c>. Each effect gets at most the
/// lane's bound; past it, it is cancelled and reported failed.
/// </summary>
internal sealed class SlowLane : IDisposable
{
    private readonly Channel<Effect> _queue = Channel.CreateBounded<Effect>(new BoundedChannelOptions(64) { SingleReader = true });
    private readonly ISlowEffect?[] _handlers;
    private readonly Action<int, bool, string?> _done;
    private readonly TimeSpan _bound;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public SlowLane(int slots, Action<int, bool, string?> done, TimeSpan bound, TimeProvider time)
    {
        _handlers = new ISlowEffect?[slots];
        _done = done;
        _bound = bound;
        _time = time;
    }

    /// <summary>Longest one slow effect may run.</summary>
    public TimeSpan Bound => _bound;

    /// <summary>Registers the handler of <paramref name="slot"/> (at start).</summary>
    public void Register(int slot, ISlowEffect handler)
    {
        _handlers[slot] = handler;
        _loop ??= Task.Run(RunAsync);
    }

    /// <summary>The handler's name, for errors.</summary>
    public string NameOf(int slot) => _handlers[slot]?.Name ?? $"slot {slot}";

    /// <summary>Queues <paramref name="effect"/>; false (and nothing queued) when 64 are waiting already.</summary>
    public bool Enqueue(Effect effect) => _handlers[effect.Slot] is not null && _queue.Writer.TryWrite(effect);

    private async Task RunAsync()
    {
        try
        {
            await foreach (var effect in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                var handler = _handlers[effect.Slot]!;
                var bound = handler.Bound ?? _bound;
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                bounded.CancelAfter(bound);
                try
                {
                    await handler.RunAsync(effect, bounded.Token).WaitAsync(bound, _time, _stop.Token).ConfigureAwait(false);
                    _done(effect.Slot, true, null);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !_stop.IsCancellationRequested)
                {
                    var why = ex is TimeoutException or OperationCanceledException ? $"did not finish in {bound.TotalMilliseconds:F0} ms" : ex.Message;
                    _done(effect.Slot, false, $"{handler.Name}: {why}");
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // stopping
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _queue.Writer.TryComplete(); // the token source is not disposed: the loop may still be reading it
    }
}
