namespace Redundancy.Edges.Links;

/// <summary>
/// Reads the console from the running system under <see cref="Root"/> (a fake tree in tests): the active consoles in
/// <c>/sys/class/tty/console/active</c> and the <c>console=</c> arguments in <c>/proc/cmdline</c> (whose
/// <c>serial0</c> is the udev alias /dev/serial0 for whichever UART the board gives GPIO 14/15), compared with the
/// configured device after following its symbolic links (/dev/redundancy-serial, /dev/serial0 -> ttyAMA0).
/// </summary>
public sealed class KernelConsole(string root = "/") : IKernelConsole
{
    private const int MaxLinks = 40;

    /// <summary>Where the system's files are: "/" on a box.</summary>
    public string Root { get; } = root;

    /// <inheritdoc />
    public string? Conflict(string device)
    {
        try
        {
            var tty = Name(device);
            if (tty is null)
            {
                return null;
            }

            var where = new List<string>();
            if (Read("/sys/class/tty/console/active") is { } active
                && active.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Contains(tty, StringComparer.Ordinal))
            {
                where.Add("/sys/class/tty/console/active");
            }

            foreach (var arg in (Read("/proc/cmdline") ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                if (arg.StartsWith("console=", StringComparison.Ordinal))
                {
                    var name = arg["console=".Length..].Split(',')[0];
                    if (name.Length > 0 && Name("/dev/" + name) == tty)
                    {
                        where.Add($"{arg} in /proc/cmdline");
                    }
                }
            }

            return where.Count == 0
                ? null
                : $"serial.device {device} is {tty}, the kernel console ({string.Join(", ", where)}): boot messages and a login prompt "
                  + "share the line with the heartbeats. Turn the serial console off: sudo raspi-config nonint do_serial_cons 1 "
                  + "(or remove console=serial0,115200 from /boot/firmware/cmdline.txt), then reboot";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null; // an unreadable /sys or /proc is not the console's proof; the link's own health says the rest
        }
    }

    /// <summary>The tty name <paramref name="device"/> ends at after its links (ttyAMA0), or null when it is no path.</summary>
    private string? Name(string device)
    {
        if (!device.StartsWith('/'))
        {
            return null;
        }

        var path = Path.GetFullPath(device);
        for (var i = 0; i < MaxLinks; i++)
        {
            var info = new FileInfo(Under(path));
            if (info.LinkTarget is not { } target)
            {
                break;
            }

            // An absolute target is in the system's tree, so under Root too; a relative one from the link's folder.
            path = Path.GetFullPath(target.StartsWith('/') ? target : Path.Combine(Path.GetDirectoryName(path)!, target));
        }

        return Path.GetFileName(path);
    }

    private string Under(string path) => Path.Join(Root, path);

    private string? Read(string path) => File.Exists(Under(path)) ? File.ReadAllText(Under(path)) : null;
}
