namespace Redundancy.Simulation.Cabinet;

/// <summary>One thing that happened in the cabinet.</summary>
/// <param name="T">When, on the machine's monotonic clock (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>), shared by every process.</param>
/// <param name="Node">Which node ("A"), or "" for the harness.</param>
/// <param name="Kind">power-on, power-off, pin-output, pin-release, pin-write, relay-close, relay-open, input, drive-on, drive-off, mark.</param>
/// <param name="Subject">Pin number, channel name, or the text of a mark.</param>
/// <param name="Value">Pin level or 0.</param>
public sealed record CabinetEvent(long T, string Node, string Kind, string Subject, int Value);
