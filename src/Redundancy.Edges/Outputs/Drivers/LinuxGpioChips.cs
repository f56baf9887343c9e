using System.Globalization;
using System.Runtime.InteropServices;

namespace Redundancy.Edges.Outputs.Drivers;

/// <summary>
/// The gpiochips under <c>root</c>/dev, each with its label and line count: from sysfs when the kernel has the
/// GPIO sysfs class (<c>/sys/bus/gpio/devices/gpiochipN</c> is the chip's device; its parent's <c>gpio/gpiochipBASE</c>
/// holds <c>label</c> and <c>ngpio</c>; Raspberry Pi kernels build it in), else from the chip itself with the
/// chardev's GPIO_GET_CHIPINFO_IOCTL, as gpiodetect does. A <c>/dev/gpiochipN</c> that is a symlink (udev keeps
/// gpiochip4 pointing at the Pi 5's gpiochip0 on current kernels) is an alias and not listed again.
/// </summary>
/// <param name="root">"/" on a box; a temp directory holding a fake dev and sys tree in tests.</param>
public sealed partial class LinuxGpioChips(string root = "/") : IGpioChips
{
    private const string Prefix = "gpiochip";

    /// <inheritdoc />
    public IReadOnlyList<GpioChip> List()
    {
        var dev = Path.Combine(root, "dev");
        if (!Directory.Exists(dev))
        {
            return [];
        }

        var chips = new List<GpioChip>();
        foreach (var path in Directory.EnumerateFileSystemEntries(dev, Prefix + "*"))
        {
            if (!TryNumber(Path.GetFileName(path), out var number) || new FileInfo(path).LinkTarget is not null)
            {
                continue;
            }

            chips.Add(FromSysfs(number) ?? FromDevice(path, number) ?? new GpioChip(number, null, 0));
        }

        chips.Sort((a, b) => a.Number.CompareTo(b.Number));
        return chips;
    }

    private static bool TryNumber(string name, out int number)
    {
        number = 0;
        return name.StartsWith(Prefix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    private GpioChip? FromSysfs(int number)
    {
        var bus = Path.Combine(root, "sys", "bus", "gpio", "devices", Prefix + number.ToString(CultureInfo.InvariantCulture));
        if (!Directory.Exists(bus))
        {
            return null;
        }

        if (Read(bus, number) is { } direct)
        {
            return direct; // a kernel that puts the attributes on the chip's own device
        }

        var device = new DirectoryInfo(bus).ResolveLinkTarget(returnFinalTarget: true) as DirectoryInfo ?? new DirectoryInfo(bus);
        var legacy = device.Parent is { } parent ? Path.Combine(parent.FullName, "gpio") : null;
        if (legacy is null || !Directory.Exists(legacy))
        {
            return null;
        }

        // The sysfs class device hangs off the same parent as the chardev; with more than one chip on one parent
        // there is no telling which is which, so ask the chip itself.
        var candidates = Directory.GetDirectories(legacy, Prefix + "*");
        return candidates.Length == 1 ? Read(candidates[0], number) : null;
    }

    private static GpioChip? Read(string directory, int number)
    {
        try
        {
            var label = File.ReadAllText(Path.Combine(directory, "label")).Trim();
            var lines = File.ReadAllText(Path.Combine(directory, "ngpio")).Trim();
            return int.TryParse(lines, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? new GpioChip(number, label, n) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static unsafe GpioChip? FromDevice(string path, int number)
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        }
        catch (UnauthorizedAccessException)
        {
            throw new GpioUnavailableException(
                $"cannot open {path}: permission denied: the agent's user must be in group gpio (the udev rule firmware-config/udev/99-redundancy.rules gives /dev/gpiochip* to it)");
        }
        catch (IOException)
        {
            return null;
        }

        using (handle)
        {
            var info = default(ChipInfo);
            if (Ioctl((int)handle.DangerousGetHandle(), GetChipInfoIoctl, &info) != 0)
            {
                return null; // not a GPIO character device (a fake tree's plain file, or something else)
            }

            var label = Marshal.PtrToStringUTF8((nint)info.Label);
            return new GpioChip(number, string.IsNullOrEmpty(label) ? null : label, (int)info.Lines);
        }
    }

    // struct gpiochip_info { char name[32]; char label[32]; __u32 lines; } and _IOR(0xB4, 0x01, struct gpiochip_info)
    // from linux/gpio.h: read direction (2 << 30), size 68 (<< 16), type 0xB4 (<< 8), number 1.
    private const nuint GetChipInfoIoctl = 0x8044B401;

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct ChipInfo
    {
        public fixed byte Name[32];
        public fixed byte Label[32];
        public uint Lines;
    }

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int Ioctl(int fd, nuint request, ChipInfo* info);
}
