namespace Redundancy.Edges.Tests.Outputs.Drivers;

/// <summary>
/// A fake /dev and /sys under a temp directory, laid out as a Raspberry Pi kernel lays them out: /dev/gpiochipN, the
/// chip's device at /sys/devices/.../&lt;parent&gt;/gpiochipN linked from /sys/bus/gpio/devices/gpiochipN, and the GPIO
/// sysfs class directory beside it, &lt;parent&gt;/gpio/gpiochipBASE with label and ngpio.
/// </summary>
internal sealed class FakeGpioTree : IDisposable
{
    private readonly TempDirectory _dir = new();

    public FakeGpioTree()
    {
        Directory.CreateDirectory(Path.Combine(Root, "dev"));
    }

    public string Root => _dir.Path;

    /// <summary>Adds a chip with its sysfs entries.</summary>
    public FakeGpioTree Chip(int number, string label, int lines, int sysfsBase, string parent)
    {
        File.WriteAllText(Path.Combine(Root, "dev", $"gpiochip{number}"), string.Empty);
        var device = Path.Combine(Root, "sys", "devices", "platform", parent);
        Directory.CreateDirectory(Path.Combine(device, $"gpiochip{number}"));
        var legacy = Path.Combine(device, "gpio", $"gpiochip{sysfsBase}");
        Directory.CreateDirectory(legacy);
        File.WriteAllText(Path.Combine(legacy, "label"), label + "\n");
        File.WriteAllText(Path.Combine(legacy, "ngpio"), $"{lines}\n");
        File.WriteAllText(Path.Combine(legacy, "base"), $"{sysfsBase}\n");
        var bus = Path.Combine(Root, "sys", "bus", "gpio", "devices");
        Directory.CreateDirectory(bus);
        File.CreateSymbolicLink(Path.Combine(bus, $"gpiochip{number}"), $"../../../devices/platform/{parent}/gpiochip{number}");
        return this;
    }

    /// <summary>Adds /dev/gpiochip<paramref name="alias"/> as a symlink to gpiochip<paramref name="target"/> (udev's).</summary>
    public FakeGpioTree Alias(int alias, int target)
    {
        File.CreateSymbolicLink(Path.Combine(Root, "dev", $"gpiochip{alias}"), $"gpiochip{target}");
        return this;
    }

    /// <summary>Adds a /dev/gpiochipN that sysfs says nothing about (and that is no character device).</summary>
    public FakeGpioTree DeviceOnly(int number)
    {
        File.WriteAllText(Path.Combine(Root, "dev", $"gpiochip{number}"), string.Empty);
        return this;
    }

    public FakeGpioTree I2cBus(int bus)
    {
        File.WriteAllText(Path.Combine(Root, "dev", $"i2c-{bus}"), string.Empty);
        return this;
    }

    /// <summary>A Pi 5 on a current kernel: the RP1 header chip is gpiochip0, udev keeps gpiochip4 as an alias.</summary>
    public static FakeGpioTree Pi5Current() => new FakeGpioTree()
        .Chip(0, "pinctrl-rp1", 54, 571, "axi/1000120000.pcie/1f000d0000.gpio")
        .Chip(10, "gpio-brcmstb@107d508500", 32, 544, "soc/107d508500.gpio")
        .Chip(11, "gpio-brcmstb@107d508520", 4, 540, "soc/107d508520.gpio")
        .Chip(12, "gpio-brcmstb@107d517c00", 17, 523, "soc/107d517c00.gpio")
        .Chip(13, "gpio-brcmstb@107d517c20", 6, 517, "soc/107d517c20.gpio")
        .Alias(4, 0);

    /// <summary>A Pi 5 on an older kernel: the RP1 header chip is gpiochip4, after the four brcmstb chips.</summary>
    public static FakeGpioTree Pi5Older() => new FakeGpioTree()
        .Chip(0, "gpio-brcmstb@107d508500", 32, 512, "soc/107d508500.gpio")
        .Chip(1, "gpio-brcmstb@107d508520", 4, 544, "soc/107d508520.gpio")
        .Chip(2, "gpio-brcmstb@107d517c00", 17, 548, "soc/107d517c00.gpio")
        .Chip(3, "gpio-brcmstb@107d517c20", 6, 565, "soc/107d517c20.gpio")
        .Chip(4, "pinctrl-rp1", 54, 571, "axi/1000120000.pcie/1f000d0000.gpio");

    /// <summary>A Pi 4: the BCM2711 header chip and the firmware's expander.</summary>
    public static FakeGpioTree Pi4() => new FakeGpioTree()
        .Chip(0, "pinctrl-bcm2711", 58, 512, "soc/fe200000.gpio")
        .Chip(1, "raspberrypi-exp-gpio", 8, 570, "soc/firmware/soc:firmware:gpio");

    public void Dispose() => _dir.Dispose();
}
