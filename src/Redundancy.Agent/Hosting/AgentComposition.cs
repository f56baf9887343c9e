using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using Redundancy.Core.Configuration;
using Redundancy.Edges.Links;
using Redundancy.Edges.Outputs;
using Redundancy.Edges.Outputs.Simulated;

namespace Redundancy.Agent.Hosting;

/// <summary>Builds the real edges from the validated options.</summary>
internal static class AgentComposition
{
    public static List<IHeartbeatLink> CreateLinks(AgentOptions options)
    {
        var links = new List<IHeartbeatLink>();
        if (options.Serial is { } s)
        {
            links.Add(new SerialHeartbeatLink(s.Device, s.Baud, options.HeartbeatInterval * 2, TimeSpan.FromMilliseconds(500)));
        }

        if (options.Udp is { } u)
        {
            links.Add(new UdpHeartbeatLink(u.Bind, u.Peer));
        }

        return links;
    }

    public static IOutputBank CreateOutputs(AgentOptions options)
    {
        GpioDriver driver = options.Gpio.Driver == "simulated"
            ? new SimulatedGpioDriver(options.Gpio.SimulatorSocket!, Wiring(options))
            : new LibGpiodDriver(options.Gpio.Chip);
        return new GpioOutputBank(new GpioController(driver), options);
    }

    /// <summary>How this node is wired, as the simulated cabinet needs to know it.</summary>
    public static CabinetWiring Wiring(AgentOptions options) => new(
        options.NodeName,
        options.Outputs.Select(o => new CabinetChannel(o.Name, o.Pin)).ToArray(),
        options.Watchdog?.LifePin,
        options.Watchdog?.HoldTime.TotalMilliseconds ?? 0,
        options.Interlock?.IAmActivePin,
        options.Interlock?.PeerActivePin,
        options.Interlock?.PeerActiveThroughRelay ?? false);
}
