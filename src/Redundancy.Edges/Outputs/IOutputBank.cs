using Redundancy.Core.Roles;

namespace Redundancy.Edges.Outputs;

/// <summary>
/// The node's outputs: field channels, the "I am active" line, the life signal, and the "peer active" input.
/// Released means high-impedance (input mode), so the other node can drive the same field wiring.
/// </summary>
/// <remarks>Thread-safe: the engine drives it, and shutdown or a crash handler may release it concurrently.</remarks>
public interface IOutputBank : IDisposable
{
    /// <summary>Number of field channels.</summary>
    int ChannelCount { get; }

    /// <summary>Raises "I am active" (no-op when not wired).</summary>
    void AssertActive();

    /// <summary>Drops "I am active" (no-op when not wired).</summary>
    void DropActive();

    /// <summary>Drives channel <paramref name="channel"/> to the logical <paramref name="value"/>.</summary>
    void Drive(int channel, bool value);

    /// <summary>Releases every field channel (high impedance).</summary>
    void ReleaseAll();

    /// <summary>Flips the life signal for the watchdog relay (no-op when not wired).</summary>
    void ToggleLife();

    /// <summary>Reads the "peer active" input.</summary>
    InterlockInput ReadInterlock();

    /// <summary>Whether channel <paramref name="channel"/> is being driven, and its logical value.</summary>
    (bool Driving, bool Value) State(int channel);
}
