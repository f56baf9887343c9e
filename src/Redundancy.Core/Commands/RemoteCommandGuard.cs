using System.Globalization;

namespace Redundancy.Core.Commands;

/// <summary>
/// Lets a remote command through only when it is authentic (the pair key's MAC over its topic and body), well formed,
/// fresh (its timestamp within <see cref="MaxSkew"/> of this node's clock, and not before this run started) and never
/// seen (its nonce is remembered until its timestamp leaves the window, so a replay is refused for as long as it would
/// otherwise be fresh). Counts every refusal by reason. Pure: the time comes from the <see cref="TimeProvider"/>.
/// Thread-safe.
/// </summary>
/// <remarks>
/// The nonces of one run are kept in memory only; a command timestamped before this run started is refused
/// (<see cref="RemoteRefusal.BeforeStart"/>) because the previous run may have carried it out. Only authentic commands
/// are remembered, so forged ones cannot fill the memory; at most <see cref="Capacity"/> are remembered at once, and
/// past that a command is refused as <see cref="RemoteRefusal.Busy"/> rather than a nonce forgotten early.
/// </remarks>
public sealed class RemoteCommandGuard
{
    /// <summary>Nonces remembered at once (commands within one freshness window).</summary>
    public const int Capacity = 1024;

    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly long _startedMs;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _seen = new(StringComparer.Ordinal);
    private readonly long[] _refused = new long[Enum.GetValues<RemoteRefusal>().Length];
    private long _accepted;

    /// <summary>A guard for commands signed with <paramref name="key"/>, allowing <paramref name="maxSkew"/> of clock
    /// difference either way; the run starts now.</summary>
    public RemoteCommandGuard(byte[] key, TimeSpan maxSkew, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSkew, TimeSpan.FromSeconds(1));
        _key = key;
        MaxSkew = maxSkew;
        _time = time;
        _startedMs = time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    /// <summary>The clock difference allowed either way.</summary>
    public TimeSpan MaxSkew { get; }

    /// <summary>Commands let through.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Refused commands of <paramref name="reason"/>.</summary>
    public long Refused(RemoteRefusal reason) => Interlocked.Read(ref _refused[(int)reason]);

    /// <summary>All refused commands.</summary>
    public long RefusedTotal
    {
        get
        {
            long total = 0;
            for (var i = 1; i < _refused.Length; i++)
            {
                total += Interlocked.Read(ref _refused[i]);
            }

            return total;
        }
    }

    /// <summary>Counts a refusal decided outside the guard (a full queue: <see cref="RemoteRefusal.Busy"/>).</summary>
    public void Count(RemoteRefusal reason) => Interlocked.Increment(ref _refused[(int)reason]);

    /// <summary>Judges one message that arrived on <paramref name="topic"/>.</summary>
    public RemoteVerdict Check(string topic, ReadOnlySpan<byte> payload)
    {
        var opened = RemoteCommandCodec.Open(_key, RemoteCommandCodec.CommandDomain, topic, payload, out var body, out var problem);
        if (opened != RemoteRefusal.None)
        {
            return Refuse(opened, problem!, null);
        }

        var read = RemoteCommandCodec.ReadBody(body, out var command, out problem);
        if (read != RemoteRefusal.None)
        {
            return Refuse(read, problem!, command);
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var skewMs = (long)MaxSkew.TotalMilliseconds;
        var off = command!.TimestampMs - now;
        if (Math.Abs(off) > skewMs)
        {
            return Refuse(RemoteRefusal.Stale, $"its timestamp is {Seconds(Math.Abs(off))} s {(off < 0 ? "behind" : "ahead of")} this node's clock (at most {Seconds(skewMs)} s either way): send it again at once, and check that both clocks keep time (NTP)", command);
        }

        if (command.TimestampMs < _startedMs)
        {
            return Refuse(RemoteRefusal.BeforeStart, "it was sent before this agent started, and the previous run may have carried it out: send it again with a new timestamp and nonce", command);
        }

        lock (_gate)
        {
            if (_seen.ContainsKey(command.Nonce))
            {
                return Refuse(RemoteRefusal.Replayed, "its nonce was seen already: a replay (every command needs a new nonce)", command);
            }

            if (_seen.Count >= Capacity)
            {
                Forget(now);
            }

            if (_seen.Count >= Capacity)
            {
                return Refuse(RemoteRefusal.Busy, $"more than {Capacity} commands within {Seconds(skewMs)} s: try again later", command);
            }

            // Remembered until its timestamp is out of the window: after that it is refused as stale.
            _seen[command.Nonce] = command.TimestampMs + skewMs;
        }

        Interlocked.Increment(ref _accepted);
        return new RemoteVerdict(RemoteRefusal.None, null, command);
    }

    /// <summary>Forgets the nonces whose commands would now be refused as stale anyway.</summary>
    private void Forget(long now)
    {
        List<string>? gone = null;
        foreach (var (nonce, until) in _seen)
        {
            if (until < now)
            {
                (gone ??= []).Add(nonce);
            }
        }

        foreach (var nonce in gone ?? [])
        {
            _seen.Remove(nonce);
        }
    }

    private RemoteVerdict Refuse(RemoteRefusal reason, string text, RemoteCommand? command)
    {
        Interlocked.Increment(ref _refused[(int)reason]);
        return new RemoteVerdict(reason, text, command);
    }

    private static string Seconds(long ms) => (ms / 1000.0).ToString("F1", CultureInfo.InvariantCulture);
}
