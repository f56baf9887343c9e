namespace Redundancy.Agent.Hosting;

/// <summary>The agent's command line.</summary>
internal sealed record CommandLine(string ConfigPath, bool CheckOnly, bool ReleaseOutputs, string LogFormat)
{
    public const string Usage = """
        usage: redundancy-agent [--config PATH] [--check-config] [--release-outputs] [--log-format text|json|systemd|journal]
          --config PATH       configuration file (default /etc/redundancy/agent.json)
          --check-config      validate the configuration and the key file, then exit (0 = valid)
          --release-outputs   release every configured output and drop 'I am active', then exit
                              (systemd runs this after any exit of the agent, kill -9 included)
          --log-format F      text (default), json (one object per line), systemd (journald priorities on
                              standard output) or journal (to journald with fields: EVENT_ID, NODE, TO, EPOCH, REASON ...)
        """;

    /// <summary>Parses <paramref name="args"/>; returns null and an error for anything unknown.</summary>
    public static CommandLine? Parse(string[] args, out string? error)
    {
        var config = Core.Configuration.AgentConfig.DefaultPath;
        var check = false;
        var release = false;
        var format = "text";
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--config" when i + 1 < args.Length:
                    config = args[++i];
                    break;
                case "--check-config":
                    check = true;
                    break;
                case "--release-outputs":
                    release = true;
                    break;
                case "--log-format" when i + 1 < args.Length && args[i + 1] is "text" or "json" or "systemd" or "journal":
                    format = args[++i];
                    break;
                case "--log-format" or "--config":
                    error = $"{args[i]} needs a value" + (args[i] == "--log-format" ? ": text, json, systemd or journal" : string.Empty);
                    return null;
                default:
                    error = $"unknown argument '{args[i]}'";
                    return null;
            }
        }

        return new CommandLine(config, check, release, format);
    }
}
