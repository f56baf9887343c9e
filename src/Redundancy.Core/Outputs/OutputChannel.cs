namespace Redundancy.Core.Outputs;

/// <summary>One field output as configured.</summary>
/// <param name="Name">Channel name, unique in the node ("pump1").</param>
/// <param name="Pin">GPIO line offset on the configured chip.</param>
/// <param name="ActiveLow">When true, logical "on" is a low level on the pin.</param>
/// <param name="SafeValue">The logical value that is safe for the plant.</param>
/// <param name="Takeover">What a new active drives on this channel.</param>
public sealed record OutputChannel(string Name, int Pin, bool ActiveLow, bool SafeValue, TakeoverPolicy Takeover);
