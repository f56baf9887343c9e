using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Device.I2c;
using System.Runtime.InteropServices;
using Iot.Device.Mcp23xxx;
using Redundancy.Core.Configuration;

namespace Redundancy.Edges.Outputs.Drivers;

/// <summary>A driver that drives real pins, and what it is, for the start-up log line.</summary>
/// <param name="Driver">The driver, owned by whoever puts it under a <see cref="GpioController"/>.</param>
/// <param name="Description">"libgpiod-v2 on gpiochip0 (pinctrl-rp1, 54 lines)".</param>
public sealed record OpenedGpio(GpioDriver Driver, string Description);

/// <summary>
/// Opens the GPIO driver <c>gpio.driver</c> names, for every driver but "simulated": libgpiod v2 or v1 on the chip
/// <c>gpio.chip</c> names (auto: v2 if libgpiod.so.3 loads, else v1 if libgpiod.so.2 does), or an I/O expander on
/// I2C. Never falls back to something that does not drive the field's pins (no sysfs, no register driver, no dummy
/// board): anything missing is a <see cref="GpioUnavailableException"/> that says what to install or configure.
/// </summary>
public static class HardwareGpio
{
    /// <summary>The libgpiod v2 library (package libgpiod3, Raspberry Pi OS based on Debian 13).</summary>
    public const string LibgpiodV2Library = "libgpiod.so.3";

    /// <summary>The libgpiod v1 libraries LibGpiodDriver loads (package libgpiod2 on Debian 12; .so.1 before).</summary>
    public static IReadOnlyList<string> LibgpiodV1Libraries { get; } = ["libgpiod.so.2", "libgpiod.so.1"];

    /// <summary>Opens the configured driver.</summary>
    /// <param name="gpio">The validated gpio section (not "simulated").</param>
    /// <param name="chips">Where the gpiochips are listed; the machine's by default.</param>
    /// <param name="canLoad">Whether a native library loads; <see cref="CanLoad"/> by default.</param>
    /// <param name="root">The root under which /dev/i2c-N is looked for ("/").</param>
    /// <exception cref="GpioUnavailableException">The driver cannot drive real pins here.</exception>
    public static OpenedGpio Open(GpioOptions gpio, IGpioChips? chips = null, Func<string, bool>? canLoad = null, string root = "/")
    {
        if (gpio.IsExpander)
        {
            return OpenExpander(gpio.Driver, gpio.I2c!, root);
        }

        var driver = ChooseLibgpiod(gpio.Driver, canLoad ?? CanLoad);
        var chip = GpioChipSearch.Find(gpio.Chip, chips ?? new LinuxGpioChips(root));
        try
        {
            // LibGpiodV1 opens its lines glitch-free itself (gpiod_line_request_output with the value); v2 does not.
            GpioDriver opened = driver == GpioDrivers.LibgpiodV2
                ? new LatchFirstDriver(new LibGpiodV2Driver(chip.Number))
                : new LibGpiodDriver(chip.Number);
            return new OpenedGpio(opened, $"{driver} on {chip}");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new GpioUnavailableException(
                $"{driver}: cannot open {chip}: {ex.Message} (the agent's user must be in group gpio; gpioinfo {chip.Number} shows whether another program holds the lines)", ex);
        }
    }

    /// <summary>Whether the native library <paramref name="name"/> loads in this process.</summary>
    public static bool CanLoad(string name)
    {
        if (!NativeLibrary.TryLoad(name, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }

    /// <summary>Which libgpiod driver <paramref name="driver"/> means here: "libgpiod-v2" or "libgpiod-v1".</summary>
    /// <exception cref="GpioUnavailableException">The library it needs does not load.</exception>
    public static string ChooseLibgpiod(string driver, Func<string, bool> canLoad)
    {
        var v2 = canLoad(LibgpiodV2Library);
        var v1 = LibgpiodV1Libraries.Any(canLoad);
        return driver switch
        {
            GpioDrivers.Auto when v2 => GpioDrivers.LibgpiodV2,
            GpioDrivers.Auto when v1 => GpioDrivers.LibgpiodV1,
            GpioDrivers.Auto => throw new GpioUnavailableException(
                "gpio.driver auto: libgpiod is not installed (neither libgpiod.so.3 nor libgpiod.so.2 loads): "
                + "install it, apt install libgpiod3 on Raspberry Pi OS based on Debian 13 (trixie), apt install libgpiod2 on Debian 12 (bookworm). "
                + "Without a Raspberry Pi set gpio.driver \"simulated\" (demo and tests)"),
            GpioDrivers.LibgpiodV2 when v2 => driver,
            GpioDrivers.LibgpiodV2 => throw new GpioUnavailableException(
                "gpio.driver libgpiod-v2: libgpiod.so.3 does not load: apt install libgpiod3 (Raspberry Pi OS based on Debian 13)"
                + (v1 ? "; this system has libgpiod v1 (libgpiod.so.2): set gpio.driver \"libgpiod-v1\" or \"auto\"" : string.Empty)),
            GpioDrivers.LibgpiodV1 when v1 => driver,
            GpioDrivers.LibgpiodV1 => throw new GpioUnavailableException(
                "gpio.driver libgpiod-v1 (or \"libgpiod\"): libgpiod.so.2 does not load: apt install libgpiod2 (Raspberry Pi OS based on Debian 12)"
                + (v2 ? "; this system has libgpiod v2 (libgpiod.so.3, as Debian 13 ships): set gpio.driver \"libgpiod-v2\" or \"auto\"" : string.Empty)),
            _ => throw new ArgumentException($"not a libgpiod driver: {driver}", nameof(driver)),
        };
    }

    private static OpenedGpio OpenExpander(string driver, I2cDeviceOptions i2c, string root)
    {
        var where = $"{driver} at address {i2c.Address} (0x{i2c.Address:X2}) on /dev/i2c-{i2c.Bus}";
        if (!File.Exists(Path.Combine(root, "dev", $"i2c-{i2c.Bus}")))
        {
            throw new GpioUnavailableException(
                $"{where}: there is no /dev/i2c-{i2c.Bus}: turn I2C on (dtparam=i2c_arm=on in config.txt, or raspi-config nonint do_i2c 0, then reboot) and check gpio.i2c.bus");
        }

        I2cDevice? device = null;
        try
        {
            device = I2cDevice.Create(new I2cConnectionSettings(i2c.Bus, i2c.Address));
            return new OpenedGpio(Expander(driver, device), where);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            device?.Dispose();
            throw new GpioUnavailableException(
                $"{where}: no answer ({ex.Message}): check the board's power and wiring, its address jumpers (i2cdetect -y {i2c.Bus} lists who answers) and that the agent's user is in group i2c", ex);
        }
    }

    /// <summary>The driver for an expander of kind <paramref name="driver"/> at <paramref name="device"/>, every line
    /// released (input); its outputs open at their initial value without a glitch.</summary>
    public static GpioDriver Expander(string driver, I2cDevice device) => driver switch
    {
        GpioDrivers.Mcp23017 => new LatchFirstDriver(new Mcp23017(device)),
        GpioDrivers.Mcp23008 => new LatchFirstDriver(new Mcp23008(device)),
        GpioDrivers.Pcf8574 => ReleasedPcf8574.Open(device),
        _ => throw new ArgumentException($"not an I/O expander: {driver}", nameof(driver)),
    };
}
