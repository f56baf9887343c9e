using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Redundancy.Core.Configuration;

/// <summary>The <c>systemIp</c> section: every field checked, each error naming its field.</summary>
public static partial class AgentConfig
{
    private static SystemIpOptions? BuildSystemIp(AgentConfigFile f, Validator v)
    {
        if (f.SystemIp is not { } s)
        {
            return null;
        }

        var text = v.Text("systemIp.address", s.Address);
        IPAddress? address = null;
        var prefix = 0;
        if (text.Length > 0)
        {
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            var ok = slash > 0
                && IPAddress.TryParse(text[..slash], out address)
                && address.AddressFamily == AddressFamily.InterNetwork
                && int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix)
                && prefix is >= 1 and <= 32;
            if (!ok)
            {
                v.Fail("systemIp.address", "must be an IPv4 address with its prefix length, like \"192.168.10.100/24\"", $"\"{text}\"");
                address = null;
            }
            else if (AddressProblem(address!, prefix) is { } problem)
            {
                v.Fail("systemIp.address", problem, $"\"{text}\"");
                address = null;
            }
        }

        var name = v.Text("systemIp.interface", s.Interface);
        v.Check("systemIp.interface", name.Length == 0 || InterfaceNameOk(name),
            "must be a Linux interface name: 1-15 characters, no '/', ':', whitespace, nor \".\" or \"..\"", $"\"{name}\"");
        var count = v.Range("systemIp.arpCount", s.ArpCount, 1, 20, fallback: 3);
        var interval = v.Range("systemIp.arpIntervalMs", s.ArpIntervalMs, 10, 5000, fallback: 100);
        var timeout = v.Range("systemIp.timeoutMs", s.TimeoutMs, 50, 10_000, fallback: 1000);

        return address is null || name.Length == 0
            ? null
            : new SystemIpOptions(address, prefix, name, (int)count, TimeSpan.FromMilliseconds(interval), TimeSpan.FromMilliseconds(timeout));
    }

    private static string? AddressProblem(IPAddress address, int prefix)
    {
        var b = address.GetAddressBytes();
        var value = (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
        var host = prefix == 32 ? 0u : uint.MaxValue >> prefix;
        return b[0] == 0 ? "must not be in 0.0.0.0/8 (unspecified)"
            : b[0] == 127 ? "must not be a loopback address"
            : b[0] >= 224 ? "must be a unicast address (not multicast, reserved or broadcast)"
            : prefix <= 30 && (value & host) == 0 ? $"must not be the network address of its /{prefix}"
            : prefix <= 30 && (value & host) == host ? $"must not be the broadcast address of its /{prefix}"
            : null;
    }

    private static bool InterfaceNameOk(string name) =>
        name.Length <= 15 && name is not "." and not ".." && !name.Any(c => c == '/' || c == ':' || char.IsWhiteSpace(c) || char.IsControl(c));
}
