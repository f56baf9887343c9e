using Redundancy.Core.Configuration;

namespace Redundancy.Edges.Outputs.Drivers;

/// <summary>
/// Finds the chip <c>gpio.chip</c> names: by number, by label, or (auto) the Raspberry Pi's 40-pin header chip by its
/// label and line count, whatever number the kernel gave it (the Pi 5's is gpiochip0 on current kernels and
/// gpiochip4 on older ones). Every refusal lists the chips there are.
/// </summary>
public static class GpioChipSearch
{
    /// <summary>The header chips of the Raspberry Pi models: label, line count, boards.</summary>
    public static IReadOnlyList<(string Label, int Lines, string Boards)> HeaderChips { get; } =
    [
        ("pinctrl-rp1", 54, "Raspberry Pi 5, Pi 500, CM5"),
        ("pinctrl-bcm2711", 58, "Raspberry Pi 4, Pi 400, CM4"),
        ("pinctrl-bcm2835", 54, "Raspberry Pi 3, Zero 2 W and earlier"),
    ];

    /// <summary>The chip <paramref name="selector"/> names among <paramref name="chips"/>.</summary>
    /// <exception cref="GpioUnavailableException">No such chip, or no single one: the message says what there is.</exception>
    public static GpioChip Find(GpioChipSelector selector, IGpioChips chips)
    {
        var all = chips.List();
        if (all.Count == 0)
        {
            throw new GpioUnavailableException(
                "no gpiochip on this machine (no /dev/gpiochip*): it is not a Raspberry Pi, or its GPIO driver is not loaded. "
                + "For the demo and tests set gpio.driver \"simulated\"; for a relay board on I2C \"mcp23017\", \"mcp23008\" or \"pcf8574\"");
        }

        var found = $"found {string.Join(", ", all)}";
        if (selector.Number is { } number)
        {
            return all.FirstOrDefault(c => c.Number == number)
                ?? throw new GpioUnavailableException($"gpio.chip {number}: there is no /dev/gpiochip{number}; {found} (gpiodetect lists them)");
        }

        if (selector.Label is { } label)
        {
            var named = all.Where(c => c.Label == label).ToList();
            return named.Count switch
            {
                1 => named[0],
                0 => throw new GpioUnavailableException($"gpio.chip \"{label}\": no gpiochip has this label; {found} (gpiodetect lists them)"),
                _ => throw new GpioUnavailableException(
                    $"gpio.chip \"{label}\": {named.Count} gpiochips have this label ({string.Join(", ", named.Select(c => "gpiochip" + c.Number))}): set gpio.chip to the number of the one the outputs are on"),
            };
        }

        var header = all.Where(c => HeaderChips.Any(h => h.Label == c.Label && h.Lines == c.Lines)).ToList();
        if (header.Count == 1)
        {
            return header[0];
        }

        var known = string.Join(", ", HeaderChips.Select(h => $"{h.Label} with {h.Lines} lines ({h.Boards})"));
        throw new GpioUnavailableException(header.Count == 0
            ? $"gpio.chip auto: no gpiochip is a Raspberry Pi's 40-pin header chip ({known}); {found}. Set gpio.chip to the label or number of the chip the outputs are on"
            : $"gpio.chip auto: {header.Count} gpiochips look like a header chip ({string.Join(", ", header)}): set gpio.chip to the number of the one the outputs are on");
    }
}
