using Redundancy.Core.Roles;
using Redundancy.Edges.Outputs;

namespace Redundancy.Testing;

/// <summary>
/// An output bank that records every call in order with the time it came (a fake clock's timestamp), and models
/// the pins (driving, value) and the interlock input, which a test sets. Thread-safe.
/// </summary>
public sealed class RecordingOutputBank : IOutputBank
{
    private readonly TimeProvider _time;
    private readonly List<(long At, string Call)> _calls = [];
    private readonly (bool Driving, bool Value)[] _pins;
    private readonly Lock _gate = new();

    /// <summary>A bank of <paramref name="channels"/> outputs, timed by <paramref name="time"/>.</summary>
    public RecordingOutputBank(int channels, TimeProvider time)
    {
        _time = time;
        _pins = new (bool, bool)[channels];
    }

    /// <inheritdoc />
    public int ChannelCount => _pins.Length;

    /// <summary>Whether "I am active" is asserted.</summary>
    public bool Active { get; private set; }

    /// <summary>What the interlock input reads (the peer's "I am active" line).</summary>
    public InterlockInput Interlock { get; set; } = InterlockInput.NotWired;

    /// <summary>When set, the next call of that name throws <see cref="IOException"/> (a broken pin).</summary>
    public string? FailNext { get; set; }

    /// <summary>Every call so far: "AssertActive", "ToggleLife", "Drive(0,True)", "ReleaseAll", "DropActive".</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_gate)
            {
                return _calls.Select(c => c.Call).ToArray();
            }
        }
    }

    /// <summary>Every call with its timestamp.</summary>
    public IReadOnlyList<(long At, string Call)> Timed
    {
        get
        {
            lock (_gate)
            {
                return _calls.ToArray();
            }
        }
    }

    /// <summary>Forgets the calls so far (the pins stay).</summary>
    public void ClearCalls()
    {
        lock (_gate)
        {
            _calls.Clear();
        }
    }

    /// <inheritdoc />
    public void AssertActive()
    {
        Record("AssertActive");
        Active = true;
    }

    /// <inheritdoc />
    public void DropActive()
    {
        Record("DropActive");
        Active = false;
    }

    /// <inheritdoc />
    public void Drive(int channel, bool value)
    {
        Record($"Drive({channel},{value})");
        lock (_gate)
        {
            _pins[channel] = (true, value);
        }
    }

    /// <inheritdoc />
    public void ReleaseAll()
    {
        Record("ReleaseAll");
        lock (_gate)
        {
            Array.Fill(_pins, (false, false));
        }
    }

    /// <inheritdoc />
    public void ToggleLife()
    {
        lock (_gate)
        {
            _calls.Add((_time.GetTimestamp(), "ToggleLife"));
        }
    }

    /// <inheritdoc />
    public InterlockInput ReadInterlock() => Interlock;

    /// <inheritdoc />
    public (bool Driving, bool Value) State(int channel)
    {
        lock (_gate)
        {
            return _pins[channel];
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Record(string call)
    {
        lock (_gate)
        {
            if (FailNext is { } fail && call.StartsWith(fail, StringComparison.Ordinal))
            {
                FailNext = null;
                throw new IOException($"{call}: pin broken (test)");
            }

            _calls.Add((_time.GetTimestamp(), call));
        }
    }
}
