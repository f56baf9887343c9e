namespace Redundancy.Edges.Links;

/// <summary>Whether a serial device is the kernel's console: its output (boot messages, a login getty) would share the
/// line with the heartbeat frames.</summary>
public interface IKernelConsole
{
    /// <summary>A sentence saying how <paramref name="device"/> is the console and how to turn that off; null when it
    /// is not (or when this cannot be told). Never throws.</summary>
    string? Conflict(string device);
}
