using System.Device.Gpio;
using Redundancy.Core.Configuration;
using Redundancy.Edges.Links;
using Redundancy.Edges.Outputs;
using Redundancy.Edges.Outputs.Drivers;
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

    /// <summary>The output bank on the configured driver; <paramref name="description"/> says which driver and chip,
    /// for the start-up log.</summary>
    /// <exception cref="GpioUnavailableException">The configured GPIO cannot drive real pins here (the message says
    /// what to install or configure): the node starts Faulted.</exception>
    public static IOutputBank CreateOutputs(AgentOptions options, out string description)
    {
        GpioDriver driver;
        if (options.Gpio.Driver == GpioDrivers.Simulated)
        {
            driver = new SimulatedGpioDriver(options.Gpio.SimulatorSocket!, Wiring(options));
            description = $"simulated (cabinet {options.Gpio.SimulatorSocket})";
        }
        else
        {
            var opened = HardwareGpio.Open(options.Gpio);
            driver = opened.Driver;
            description = opened.Description;
        }

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
