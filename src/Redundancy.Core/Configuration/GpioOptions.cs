namespace Redundancy.Core.Configuration;

/// <summary>Which GPIO driver drives the pins, and where its chip is.</summary>
/// <param name="Driver">One of the names in <see cref="GpioDrivers"/> ("auto" when not configured).</param>
/// <param name="Chip">The gpiochip of the libgpiod drivers; <see cref="GpioChipSelector.Auto"/> for the others.</param>
/// <param name="SimulatorSocket">Unix socket of the simulated cabinet (driver "simulated" only).</param>
/// <param name="I2c">Bus and address of an I/O expander (drivers "mcp23017", "mcp23008", "pcf8574" only).</param>
public sealed record GpioOptions(string Driver, GpioChipSelector Chip, string? SimulatorSocket, I2cDeviceOptions? I2c = null)
{
    /// <summary>Whether the pins are lines of an I/O expander on I2C.</summary>
    public bool IsExpander => GpioDrivers.IsExpander(Driver);
}

/// <summary>A gpiochip chosen by number, by label, or found by the agent (auto: the 40-pin header's chip).</summary>
/// <param name="Number">The N of /dev/gpiochipN, or null.</param>
/// <param name="Label">The chip's label as the kernel reports it ("pinctrl-rp1"), or null.</param>
public sealed record GpioChipSelector(int? Number, string? Label)
{
    /// <summary>Find the header's chip by its label and line count.</summary>
    public static GpioChipSelector Auto { get; } = new(null, null);

    /// <summary>Neither a number nor a label: the agent looks for the header's chip.</summary>
    public bool IsAuto => Number is null && Label is null;

    /// <summary>As written in the config: "auto", the number, or the label.</summary>
    public override string ToString() =>
        Number is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : Label ?? "auto";
}

/// <summary>An I2C device.</summary>
/// <param name="Bus">The N of /dev/i2c-N (1 on a Pi's header).</param>
/// <param name="Address">The 7-bit address (32-39 = 0x20-0x27 for an MCP23017 with its address pins at A2-A0).</param>
public sealed record I2cDeviceOptions(int Bus, int Address);

/// <summary>The names <c>gpio.driver</c> accepts, and what follows from each.</summary>
public static class GpioDrivers
{
    /// <summary>libgpiod v2 if libgpiod.so.3 loads, else v1 if libgpiod.so.2 does; the chip found by label.</summary>
    public const string Auto = "auto";

    /// <summary>System.Device.Gpio's LibGpiodV2Driver (libgpiod.so.3, Raspberry Pi OS based on Debian 13).</summary>
    public const string LibgpiodV2 = "libgpiod-v2";

    /// <summary>System.Device.Gpio's LibGpiodDriver (libgpiod.so.2, Raspberry Pi OS based on Debian 12).</summary>
    public const string LibgpiodV1 = "libgpiod-v1";

    /// <summary>The name used before there were two libgpiod drivers; read as <see cref="LibgpiodV1"/>.</summary>
    public const string LibgpiodAlias = "libgpiod";

    /// <summary>The project's simulated cabinet (demo and tests): drives no real pin.</summary>
    public const string Simulated = "simulated";

    /// <summary>A 16-line Microchip MCP23017 on I2C.</summary>
    public const string Mcp23017 = "mcp23017";

    /// <summary>An 8-line Microchip MCP23008 on I2C.</summary>
    public const string Mcp23008 = "mcp23008";

    /// <summary>An 8-line NXP/TI PCF8574 (or PCF8574A) on I2C.</summary>
    public const string Pcf8574 = "pcf8574";

    /// <summary>Every accepted name, in the order the docs list them.</summary>
    public static IReadOnlyList<string> All { get; } = [Auto, LibgpiodV2, LibgpiodV1, Simulated, Mcp23017, Mcp23008, Pcf8574];

    /// <summary>Whether <paramref name="driver"/> is an I/O expander on I2C.</summary>
    public static bool IsExpander(string driver) => driver is Mcp23017 or Mcp23008 or Pcf8574;

    /// <summary>Whether <paramref name="driver"/> opens a gpiochip through libgpiod (so <c>gpio.chip</c> applies).</summary>
    public static bool UsesChip(string driver) => driver is Auto or LibgpiodV2 or LibgpiodV1;

    /// <summary>How many lines an expander has (its pins are 0 to this minus one); null for the other drivers.</summary>
    public static int? ExpanderLines(string driver) => driver switch
    {
        Mcp23017 => 16,
        Mcp23008 or Pcf8574 => 8,
        _ => null,
    };

    /// <summary>Whether <paramref name="address"/> is one an expander of kind <paramref name="driver"/> can answer on.</summary>
    public static bool IsExpanderAddress(string driver, int address) => driver switch
    {
        Mcp23017 or Mcp23008 => address is >= 0x20 and <= 0x27,
        Pcf8574 => address is (>= 0x20 and <= 0x27) or (>= 0x38 and <= 0x3F), // PCF8574 and PCF8574A
        _ => false,
    };

    /// <summary>The addresses an expander of kind <paramref name="driver"/> can have, as the error text gives them.</summary>
    public static string ExpanderAddresses(string driver) => driver == Pcf8574
        ? "32-39 (0x20-0x27, PCF8574) or 56-63 (0x38-0x3F, PCF8574A)"
        : "32-39 (0x20-0x27)";
}
