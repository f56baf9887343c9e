namespace Redundancy.Edges.Outputs.Drivers;

/// <summary>The gpiochips this machine has. A seam so that tests can point the chip search at a fake tree.</summary>
public interface IGpioChips
{
    /// <summary>Every chip character device, in number order; aliases (udev symlinks) are left out.</summary>
    IReadOnlyList<GpioChip> List();
}
