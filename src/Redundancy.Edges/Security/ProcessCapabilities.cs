using System.Globalization;

namespace Redundancy.Edges.Security;

/// <summary>The process's effective capabilities, as the kernel reports them in <c>/proc/self/status</c>.</summary>
public static class ProcessCapabilities
{
    /// <summary>CAP_NET_ADMIN (12): add and remove addresses.</summary>
    public const int NetAdmin = 12;

    /// <summary>CAP_NET_RAW (13): raw packet sockets (gratuitous ARP).</summary>
    public const int NetRaw = 13;

    /// <summary>The effective set as a bit mask (bit n: capability n); 0 when it cannot be read.</summary>
    public static ulong Effective()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("CapEff:", StringComparison.Ordinal)
                    && ulong.TryParse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask))
                {
                    return mask;
                }
            }
        }
        catch (IOException)
        {
            // no /proc: reported as none held
        }

        return 0;
    }

    /// <summary>The names of those of <paramref name="capabilities"/> not in the effective set, comma-separated; empty when
    /// all are held.</summary>
    public static string Missing(params int[] capabilities)
    {
        var held = Effective();
        return string.Join(", ", capabilities.Where(c => (held & (1UL << c)) == 0).Select(Name));
    }

    private static string Name(int capability) => capability switch
    {
        NetAdmin => "CAP_NET_ADMIN",
        NetRaw => "CAP_NET_RAW",
        _ => $"capability {capability}",
    };
}
