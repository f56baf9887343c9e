using Redundancy.Edges.Links;

namespace Redundancy.Edges.Tests.Links;

/// <summary>The serial device against the kernel console, over a fake /dev, /sys and /proc tree as a Pi has them.</summary>
public sealed class KernelConsoleTests : IDisposable
{
    private readonly TempDirectory _root = new();

    [Fact]
    public void ConsoleOnSerial0_TheUdevAliasToTheSameUartIsTheConsole()
    {
        // A Pi 4 as flashed: console=serial0,115200 in cmdline.txt, serial0 -> ttyAMA0 once disable-bt is set.
        Pi(cmdline: "coherent_pool=1M console=serial0,115200 console=tty1 root=PARTUUID=1234-02 rootwait", active: "tty1 ttyAMA0");
        var conflict = new KernelConsole(_root.Path).Conflict("/dev/redundancy-serial");
        Assert.NotNull(conflict);
        Assert.Contains("ttyAMA0", conflict, StringComparison.Ordinal);
        Assert.Contains("console=serial0,115200 in /proc/cmdline", conflict, StringComparison.Ordinal);
        Assert.Contains("/sys/class/tty/console/active", conflict, StringComparison.Ordinal);
        Assert.Contains("raspi-config nonint do_serial_cons 1", conflict, StringComparison.Ordinal);
    }

    [Fact]
    public void ConsoleNamedDirectly_IsFoundThroughTheDeviceLinks()
    {
        Pi(cmdline: "console=ttyAMA0,115200 root=/dev/mmcblk0p2", active: "ttyAMA0");
        Assert.NotNull(new KernelConsole(_root.Path).Conflict("/dev/ttyAMA0"));
        Assert.NotNull(new KernelConsole(_root.Path).Conflict("/dev/serial0"));
    }

    [Fact]
    public void ConsoleTurnedOff_NoConflict()
    {
        // After raspi-config nonint do_serial_cons 1: only the screen's console is left.
        Pi(cmdline: "console=tty1 root=PARTUUID=1234-02 rootwait", active: "tty1");
        Assert.Null(new KernelConsole(_root.Path).Conflict("/dev/redundancy-serial"));
    }

    [Fact]
    public void Pi5_ConsoleOnTheDebugUart_DoesNotConflictWithUart0()
    {
        // On a Pi 5 serial0 is the debug header (ttyAMA10); GPIO 14/15 with dtparam=uart0=on is ttyAMA0.
        Pi(cmdline: "console=serial0,115200 console=tty1", active: "ttyAMA10 tty1", serial0: "ttyAMA10");
        Assert.Null(new KernelConsole(_root.Path).Conflict("/dev/ttyAMA0"));
        Assert.NotNull(new KernelConsole(_root.Path).Conflict("/dev/serial0")); // the wrong UART, and the console
    }

    [Fact]
    public void OnlyTheActiveFile_SaysSo()
    {
        Pi(cmdline: "root=/dev/mmcblk0p2", active: "ttyAMA0");
        var conflict = new KernelConsole(_root.Path).Conflict("/dev/ttyAMA0");
        Assert.NotNull(conflict);
        Assert.DoesNotContain("/proc/cmdline", conflict, StringComparison.Ordinal);
    }

    [Fact]
    public void NoSysOrProc_OrAPtyInTests_NoConflictNoThrow()
    {
        Assert.Null(new KernelConsole(_root.Path).Conflict("/dev/ttyAMA0"));
        Assert.Null(new KernelConsole(_root.Path).Conflict("relative/tty"));
        Assert.Null(new KernelConsole().Conflict("/tmp/some-socat-pty")); // this machine's own tree
    }

    public void Dispose() => _root.Dispose();

    private void Pi(string cmdline, string active, string serial0 = "ttyAMA0")
    {
        Directory.CreateDirectory(_root.File("dev"));
        Directory.CreateDirectory(_root.File("proc"));
        Directory.CreateDirectory(_root.File("sys/class/tty/console"));
        File.WriteAllText(_root.File("dev/ttyAMA0"), string.Empty);
        File.WriteAllText(_root.File("dev/ttyAMA10"), string.Empty);
        File.CreateSymbolicLink(_root.File("dev/serial0"), serial0); // relative, as udev makes it
        File.CreateSymbolicLink(_root.File("dev/redundancy-serial"), "/dev/serial0"); // absolute: resolved under the root
        File.WriteAllText(_root.File("proc/cmdline"), cmdline + "\n");
        File.WriteAllText(_root.File("sys/class/tty/console/active"), active + "\n");
    }
}
