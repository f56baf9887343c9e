using Redundancy.Simulation.Harness;

namespace Redundancy.Integration.Tests;

/// <summary>Waiting and diagnostics for pair tests.</summary>
internal static class PairAssert
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>The started agents' last log lines and the cabinet's timeline, for failure messages.</summary>
    public static string Dump(PairHarness pair) =>
        string.Concat(pair.Started.Select(node => $"\n--- {node} ---\n{Tail(pair.Agent(node))}"))
        + $"\n--- cabinet ---\n{pair.Cabinet.Timeline().Render(pair.Cabinet.Events.FirstOrDefault()?.T ?? 0)}";

    /// <summary>A value read through the control socket as compact JSON text ("null" for JSON null).</summary>
    public static string Text(System.Text.Json.JsonElement? value) =>
        value is { } v ? Redundancy.Protocol.Control.ControlProtocol.JsonText(v) : "null";

    public static bool Eventually(Func<bool> condition, TimeSpan timeout) => Poll.Until(condition, timeout);

    /// <summary>Lets the pair run for <paramref name="span"/>.</summary>
    public static void Hold(TimeSpan span) => Poll.Hold(span);

    private static string Tail(AgentProcess agent) =>
        string.Join('\n', agent.LogEvents.TakeLast(25).Select(e => e.Message))
        + (agent.FollowsEvents ? $"\n(events: {agent.Follower})" : string.Empty);
}
