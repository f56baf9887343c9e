namespace Redundancy.Simulation.Harness;

/// <summary>nftables rules inside a test namespace: a black hole for one TCP port, for one sender's TCP or UDP to a
/// port, or for the UDP leaving to a port; removed on dispose.</summary>
public sealed class Nft : IDisposable
{
    private readonly string _ns;
    private readonly string _table;

    private Nft(string ns, string table)
    {
        _ns = ns;
        _table = table;
    }

    /// <summary>Whether nft is installed (tools/ensure-deps.sh installs nftables).</summary>
    public static bool Available()
    {
        try
        {
            return ExternalProcess.Run("nft", "--version").ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Drops, silently, every TCP packet to or from <paramref name="port"/> entering or leaving namespace
    /// <paramref name="ns"/>: the flow is black-holed while everything else (UDP heartbeats) passes.</summary>
    public static Nft DropTcpPort(string ns, int port)
    {
        var table = $"rdyhole{port}";
        var rule = new Nft(ns, table);
        try
        {
            Run(ns, "add", "table", "inet", table);
            foreach (var (chain, hook) in new[] { ("in", "input"), ("out", "output") })
            {
                Run(ns, "add", "chain", "inet", table, chain, $"{{ type filter hook {hook} priority 0; policy accept; }}");
                Run(ns, "add", "rule", "inet", table, chain, "tcp", "dport", $"{port}", "drop");
                Run(ns, "add", "rule", "inet", table, chain, "tcp", "sport", $"{port}", "drop");
            }
        }
        catch
        {
            rule.Dispose();
            throw;
        }

        return rule;
    }

    /// <summary>Drops, silently, every TCP packet from <paramref name="source"/> to <paramref name="port"/> entering
    /// namespace <paramref name="ns"/>: that sender's connections never open (a SYN lost each time), everyone else's do.</summary>
    public static Nft DropTcpFrom(string ns, string source, int port) => InputFrom(ns, $"rdytcpmute{source.Split('.')[^1]}x{port}", source, "tcp", port);

    /// <summary>Drops, silently, every UDP datagram from <paramref name="source"/> to <paramref name="port"/> entering
    /// namespace <paramref name="ns"/> (the witness host): that sender is never heard, nor answered, while every other
    /// sender is.</summary>
    public static Nft DropUdpFrom(string ns, string source, int port) => InputFrom(ns, $"rdymute{source.Split('.')[^1]}x{port}", source, "udp", port);

    /// <summary>Drops, silently, every UDP datagram to port <paramref name="port"/> leaving namespace <paramref name="ns"/>:
    /// a one-way fault (this host hears its peer; the peer hears nothing of it on that port).</summary>
    public static Nft DropUdpOut(string ns, int port)
    {
        var table = $"rdyudpout{port}";
        var rule = new Nft(ns, table);
        try
        {
            Run(ns, "add", "table", "inet", table);
            Run(ns, "add", "chain", "inet", table, "out", "{ type filter hook output priority 0; policy accept; }");
            Run(ns, "add", "rule", "inet", table, "out", "udp", "dport", $"{port}", "drop");
        }
        catch
        {
            rule.Dispose();
            throw;
        }

        return rule;
    }

    private static Nft InputFrom(string ns, string table, string source, string protocol, int port)
    {
        var rule = new Nft(ns, table);
        try
        {
            Run(ns, "add", "table", "inet", table);
            Run(ns, "add", "chain", "inet", table, "in", "{ type filter hook input priority 0; policy accept; }");
            Run(ns, "add", "rule", "inet", table, "in", "ip", "saddr", source, protocol, "dport", $"{port}", "drop");
        }
        catch
        {
            rule.Dispose();
            throw;
        }

        return rule;
    }

    /// <summary>Removes the rules.</summary>
    public void Dispose() => ExternalProcess.Run("ip", "netns", "exec", _ns, "nft", "delete", "table", "inet", _table);

    private static void Run(string ns, params string[] args)
    {
        var (code, output) = ExternalProcess.Run("ip", ["netns", "exec", ns, "nft", .. args]);
        if (code != 0)
        {
            throw new InvalidOperationException($"nft {string.Join(' ', args)} in {ns} failed: {output.Trim()}");
        }
    }
}
