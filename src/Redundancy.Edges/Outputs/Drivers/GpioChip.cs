namespace Redundancy.Edges.Outputs.Drivers;

/// <summary>A gpiochip as the kernel reports it.</summary>
/// <param name="Number">The N of /dev/gpiochipN.</param>
/// <param name="Label">The chip's label ("pinctrl-rp1"), or null when the kernel did not say.</param>
/// <param name="Lines">How many lines it has, or 0 when the kernel did not say.</param>
public sealed record GpioChip(int Number, string? Label, int Lines)
{
    /// <summary>"gpiochip0 (pinctrl-rp1, 54 lines)", as the log and the refusals name a chip.</summary>
    public override string ToString() => $"gpiochip{Number} ({Label ?? "label unknown"}, {Lines} lines)";
}
