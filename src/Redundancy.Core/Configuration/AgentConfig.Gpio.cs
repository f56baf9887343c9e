using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Redundancy.Core.Configuration;

/// <summary>The <c>gpio</c> section: driver, chip, simulator socket, I2C expander.</summary>
public static partial class AgentConfig
{
    private static readonly string DriverNames = string.Join(", ", GpioDrivers.All.Select(d => $"\"{d}\""));

    private static GpioOptions BuildGpio(AgentConfigFile f, Validator v)
    {
        if (f.Gpio is not { } g)
        {
            v.Fail("gpio", "is required: {\"driver\": \"auto\"} on a Raspberry Pi (or name the driver)", "missing");
            return new GpioOptions(GpioDrivers.Auto, GpioChipSelector.Auto, null);
        }

        var driver = g.Driver ?? GpioDrivers.Auto;
        if (driver == GpioDrivers.LibgpiodAlias)
        {
            driver = GpioDrivers.LibgpiodV1; // the name of the only libgpiod driver before there were two
        }

        v.Check("gpio.driver", GpioDrivers.All.Contains(driver), $"must be one of {DriverNames} (\"libgpiod\" is read as \"libgpiod-v1\")", $"\"{driver}\"");

        var chip = GpioChipSelector.Auto;
        if (g.Chip is { } c)
        {
            chip = Chip(c, v);
            v.Check("gpio.chip", GpioDrivers.UsesChip(driver) || !GpioDrivers.All.Contains(driver),
                $"applies to the libgpiod drivers only: driver \"{driver}\" does not open a gpiochip (remove gpio.chip)", $"{c.GetRawText()}");
        }

        if (driver == GpioDrivers.Simulated)
        {
            v.Text("gpio.simulatorSocket", g.SimulatorSocket);
        }
        else if (g.SimulatorSocket is not null)
        {
            v.Fail("gpio.simulatorSocket", "applies to driver \"simulated\" only (remove it)", $"\"{g.SimulatorSocket}\"");
        }

        I2cDeviceOptions? i2c = null;
        if (GpioDrivers.IsExpander(driver))
        {
            if (g.I2c is not { } bus)
            {
                v.Fail("gpio.i2c", $"is required for driver \"{driver}\": {{\"bus\": 1, \"address\": 32}} (the bus of /dev/i2c-1 and the address the board's jumpers set)", "missing");
            }
            else
            {
                var number = v.Range("gpio.i2c.bus", bus.Bus, 0, 255, required: true);
                var address = v.Range("gpio.i2c.address", bus.Address, 0, 127, required: true);
                v.Check("gpio.i2c.address", bus.Address is null || GpioDrivers.IsExpanderAddress(driver, (int)address),
                    $"must be an address a {driver} can have: {GpioDrivers.ExpanderAddresses(driver)}", $"{address} (0x{address:X2})");
                i2c = new I2cDeviceOptions((int)number, (int)address);
            }
        }
        else if (g.I2c is not null)
        {
            v.Fail("gpio.i2c", "applies to the I/O expander drivers only (\"mcp23017\", \"mcp23008\", \"pcf8574\"): remove it, or set gpio.driver", $"driver \"{driver}\"");
        }

        return new GpioOptions(driver, chip, g.SimulatorSocket, i2c);
    }

    private static GpioChipSelector Chip(JsonElement c, Validator v)
    {
        const string Rule = "must be \"auto\", a chip number 0-255 (the N of /dev/gpiochipN) or a chip label such as \"pinctrl-rp1\" (gpiodetect lists them)";
        if (c.ValueKind == JsonValueKind.Number)
        {
            if (c.TryGetInt64(out var n) && n is >= 0 and <= 255)
            {
                return new GpioChipSelector((int)n, null);
            }

            v.Fail("gpio.chip", Rule, c.GetRawText());
            return GpioChipSelector.Auto;
        }

        var text = c.ValueKind == JsonValueKind.String ? c.GetString()! : null;
        if (text is null || text.Length == 0)
        {
            v.Fail("gpio.chip", Rule, c.GetRawText());
            return GpioChipSelector.Auto;
        }

        if (text == "auto")
        {
            return GpioChipSelector.Auto;
        }

        var digits = text.StartsWith("gpiochip", StringComparison.Ordinal) ? text["gpiochip".Length..] : text;
        if (digits.Length > 0 && digits.All(char.IsAsciiDigit))
        {
            if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 255)
            {
                return new GpioChipSelector(n, null);
            }

            v.Fail("gpio.chip", Rule, $"\"{text}\"");
            return GpioChipSelector.Auto;
        }

        v.Check("gpio.chip", ChipLabelRule().IsMatch(text), Rule + ": a label is 1-64 characters without spaces or '/'", $"\"{text}\"");
        return new GpioChipSelector(null, text);
    }

    /// <summary>Refuses pins an expander does not have, naming the field that uses each.</summary>
    private static void CheckPinsFit(GpioOptions gpio, Dictionary<long, string> pins, Validator v)
    {
        if (GpioDrivers.ExpanderLines(gpio.Driver) is not { } lines)
        {
            return;
        }

        foreach (var (pin, field) in pins.OrderBy(p => p.Value, StringComparer.Ordinal))
        {
            v.Check(field, pin < lines, $"must be from 0 to {lines - 1}: the pins are the lines of the {gpio.Driver}", pin);
        }
    }

    [GeneratedRegex(@"^[^\s/]{1,64}$")]
    private static partial Regex ChipLabelRule();
}
