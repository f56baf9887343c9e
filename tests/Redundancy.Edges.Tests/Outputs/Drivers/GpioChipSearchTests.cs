using Redundancy.Core.Configuration;
using Redundancy.Edges.Outputs.Drivers;

namespace Redundancy.Edges.Tests.Outputs.Drivers;

/// <summary>The chip search over fake /dev and /sys trees laid out as each Pi model's kernel lays them out.</summary>
public sealed class GpioChipSearchTests
{
    private static GpioChip Find(FakeGpioTree tree, GpioChipSelector selector) => GpioChipSearch.Find(selector, new LinuxGpioChips(tree.Root));

    [Fact]
    public void Pi5CurrentKernel_ListsTheChipsWithLabelsAndLeavesOutTheUdevAlias()
    {
        using var tree = FakeGpioTree.Pi5Current();

        var chips = new LinuxGpioChips(tree.Root).List();

        Assert.Equal([0, 10, 11, 12, 13], chips.Select(c => c.Number));
        Assert.Equal(new GpioChip(0, "pinctrl-rp1", 54), chips[0]);
        Assert.Equal(new GpioChip(12, "gpio-brcmstb@107d517c00", 17), chips[3]);
    }

    [Fact]
    public void Auto_OnAPi5WithACurrentKernel_FindsGpiochip0()
    {
        using var tree = FakeGpioTree.Pi5Current();

        Assert.Equal(new GpioChip(0, "pinctrl-rp1", 54), Find(tree, GpioChipSelector.Auto));
    }

    [Fact]
    public void Auto_OnAPi5WithAnOlderKernel_FindsGpiochip4()
    {
        using var tree = FakeGpioTree.Pi5Older();

        Assert.Equal(new GpioChip(4, "pinctrl-rp1", 54), Find(tree, GpioChipSelector.Auto));
    }

    [Fact]
    public void Auto_OnAPi4_FindsTheBcm2711Chip()
    {
        using var tree = FakeGpioTree.Pi4();

        Assert.Equal(new GpioChip(0, "pinctrl-bcm2711", 58), Find(tree, GpioChipSelector.Auto));
    }

    [Fact]
    public void Label_FindsTheChipWhateverItsNumber()
    {
        using var older = FakeGpioTree.Pi5Older();
        using var current = FakeGpioTree.Pi5Current();
        using var pi4 = FakeGpioTree.Pi4();

        Assert.Equal(4, Find(older, new GpioChipSelector(null, "pinctrl-rp1")).Number);
        Assert.Equal(0, Find(current, new GpioChipSelector(null, "pinctrl-rp1")).Number);
        Assert.Equal(1, Find(pi4, new GpioChipSelector(null, "raspberrypi-exp-gpio")).Number);
    }

    [Fact]
    public void Number_FindsThatChip()
    {
        using var tree = FakeGpioTree.Pi5Older();

        Assert.Equal(new GpioChip(2, "gpio-brcmstb@107d517c00", 17), Find(tree, new GpioChipSelector(2, null)));
    }

    [Fact]
    public void Auto_WithNoHeaderChip_IsRefusedListingTheChipsThereAre()
    {
        using var tree = new FakeGpioTree().Chip(0, "INT34C6:00", 463, 512, "INT34C6:00");

        var ex = Assert.Throws<GpioUnavailableException>(() => Find(tree, GpioChipSelector.Auto));

        Assert.Contains("no gpiochip is a Raspberry Pi's 40-pin header chip", ex.Message, StringComparison.Ordinal);
        Assert.Contains("pinctrl-rp1 with 54 lines", ex.Message, StringComparison.Ordinal);
        Assert.Contains("gpiochip0 (INT34C6:00, 463 lines)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("gpio.chip", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_WithAHeaderLabelButTheWrongLineCount_IsRefused()
    {
        using var tree = new FakeGpioTree().Chip(0, "pinctrl-rp1", 32, 512, "x.gpio");

        Assert.Throws<GpioUnavailableException>(() => Find(tree, GpioChipSelector.Auto));
    }

    [Fact]
    public void NoChipAtAll_IsRefusedSayingWhatToConfigure()
    {
        using var tree = new FakeGpioTree();

        var ex = Assert.Throws<GpioUnavailableException>(() => Find(tree, GpioChipSelector.Auto));

        Assert.Contains("no gpiochip on this machine", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"simulated\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownLabel_IsRefusedListingTheChips()
    {
        using var tree = FakeGpioTree.Pi4();

        var ex = Assert.Throws<GpioUnavailableException>(() => Find(tree, new GpioChipSelector(null, "pinctrl-rp1")));

        Assert.Contains("gpio.chip \"pinctrl-rp1\": no gpiochip has this label", ex.Message, StringComparison.Ordinal);
        Assert.Contains("gpiochip0 (pinctrl-bcm2711, 58 lines)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingNumber_IsRefused()
    {
        using var tree = FakeGpioTree.Pi4();

        var ex = Assert.Throws<GpioUnavailableException>(() => Find(tree, new GpioChipSelector(4, null)));

        Assert.Contains("there is no /dev/gpiochip4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeviceThatSysfsDoesNotDescribe_IsListedWithoutALabel_AndNotTakenForTheHeader()
    {
        using var tree = new FakeGpioTree().DeviceOnly(3);

        var chips = new LinuxGpioChips(tree.Root).List();

        Assert.Equal([new GpioChip(3, null, 0)], chips);
        Assert.Throws<GpioUnavailableException>(() => GpioChipSearch.Find(GpioChipSelector.Auto, new LinuxGpioChips(tree.Root)));
    }
}
