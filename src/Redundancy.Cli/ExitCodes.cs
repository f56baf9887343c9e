namespace Redundancy.Cli;

/// <summary>redundancyctl's exit codes, one table for every command (listed in --help, the README and docs/cli.md).</summary>
internal static class ExitCodes
{
    /// <summary>Done; for <c>status</c>: the pair is redundant.</summary>
    public const int Ok = 0;

    /// <summary><c>status</c>: the pair serves but is degraded (an alarm, the standby not hot, a link down, a configured
    /// witness not answering).</summary>
    public const int Degraded = 1;

    /// <summary><c>status</c>: the pair is not redundant (no standby, no active, this node faulted); any command: the
    /// agent cannot be reached.</summary>
    public const int NotRedundantOrUnreachable = 2;

    /// <summary>The agent refused the request (not active, not allowed, bad key); the reason is printed.</summary>
    public const int Refused = 3;

    /// <summary>The agent did not answer in time.</summary>
    public const int TimedOut = 4;

    /// <summary>The command line is wrong.</summary>
    public const int Usage = 64;

    public const string Help = """
        Exit codes:
          0   ok (status: redundant)
          1   status: degraded (an alarm, the standby not hot, a link down, the witness not answering)
          2   status: not redundant; any command: agent unreachable
          3   refused by the agent, or config check found problems (each is printed)
          4   timed out waiting for the agent
          64  usage error
        """;
}
