namespace Redundancy.Edges.Systemd;

/// <summary>Where <see cref="SystemdNotifyLoop"/> reads the service's state. Called on the notifier's thread, about
/// ten times a second; must not block or take a lock the service's loop holds.</summary>
public interface IServiceStateSource
{
    /// <summary>The state now.</summary>
    ServiceState Read();
}
