using System.Text.Json;

namespace Redundancy.Cli;

/// <summary>Which control socket to use: <c>--socket</c>, else the agent config's <c>control.socket</c>, else the default.</summary>
internal static class SocketPath
{
    public const string DefaultConfig = "/etc/redundancy/agent.json";
    public const string DefaultSocket = "/run/redundancy/control.sock";

    public static string Resolve(string? option, string configPath = DefaultConfig)
    {
        if (!string.IsNullOrEmpty(option))
        {
            return option;
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(configPath));
            if (doc.RootElement.TryGetProperty("control", out var control) && control.ValueKind == JsonValueKind.Object
                && control.TryGetProperty("socket", out var socket) && socket.ValueKind == JsonValueKind.String
                && socket.GetString() is { Length: > 0 } path)
            {
                return path;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            // no readable config: the default
        }

        return DefaultSocket;
    }
}
