using Redundancy.Core.Configuration;
using Redundancy.Edges.Outputs.Drivers;

namespace Redundancy.Edges.Tests.Outputs.Drivers;

/// <summary>Choosing the driver: what loads, what is there, and the refusals that say what to install.</summary>
public sealed class HardwareGpioTests
{
    private static readonly GpioOptions Auto = new(GpioDrivers.Auto, GpioChipSelector.Auto, null);

    private static Func<string, bool> Has(params string[] libraries) => libraries.Contains;

    [Fact]
    public void AutoOnThisMachine_IsRefusedSayingWhatToInstall()
    {
        // This machine (the build and CI kind) has neither libgpiod nor a gpiochip: the real probe and the real /dev.
        Assert.False(File.Exists("/dev/gpiochip0"), "this test is about a machine without GPIO");

        var ex = Assert.Throws<GpioUnavailableException>(() => HardwareGpio.Open(Auto));

        Assert.Contains("libgpiod is not installed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("apt install libgpiod3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"simulated\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoWithLibgpiodButNoChip_IsRefusedForTheChip()
    {
        using var tree = new FakeGpioTree();

        var ex = Assert.Throws<GpioUnavailableException>(() => HardwareGpio.Open(Auto, new LinuxGpioChips(tree.Root), Has("libgpiod.so.3")));

        Assert.Contains("no gpiochip on this machine", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auto", new[] { "libgpiod.so.3", "libgpiod.so.2" }, "libgpiod-v2")]
    [InlineData("auto", new[] { "libgpiod.so.3" }, "libgpiod-v2")]
    [InlineData("auto", new[] { "libgpiod.so.2" }, "libgpiod-v1")]
    [InlineData("auto", new[] { "libgpiod.so.1" }, "libgpiod-v1")]
    [InlineData("libgpiod-v1", new[] { "libgpiod.so.3", "libgpiod.so.2" }, "libgpiod-v1")]
    [InlineData("libgpiod-v2", new[] { "libgpiod.so.3" }, "libgpiod-v2")]
    public void Libgpiod_IsTheOneThatLoads(string driver, string[] present, string chosen)
    {
        Assert.Equal(chosen, HardwareGpio.ChooseLibgpiod(driver, Has(present)));
    }

    [Fact]
    public void V2WithOnlyV1Installed_IsRefusedNamingThePackageAndTheOtherDriver()
    {
        var ex = Assert.Throws<GpioUnavailableException>(() => HardwareGpio.ChooseLibgpiod(GpioDrivers.LibgpiodV2, Has("libgpiod.so.2")));

        Assert.Contains("apt install libgpiod3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("set gpio.driver \"libgpiod-v1\" or \"auto\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V1OnDebian13_IsRefusedNamingThePackageAndTheOtherDriver()
    {
        var ex = Assert.Throws<GpioUnavailableException>(() => HardwareGpio.ChooseLibgpiod(GpioDrivers.LibgpiodV1, Has("libgpiod.so.3")));

        Assert.Contains("apt install libgpiod2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("set gpio.driver \"libgpiod-v2\" or \"auto\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpanderWithoutItsI2cBus_IsRefusedSayingHowToTurnI2cOn()
    {
        using var tree = new FakeGpioTree();
        var gpio = new GpioOptions(GpioDrivers.Mcp23017, GpioChipSelector.Auto, null, new I2cDeviceOptions(1, 0x20));

        var ex = Assert.Throws<GpioUnavailableException>(() => HardwareGpio.Open(gpio, root: tree.Root));

        Assert.Contains("mcp23017 at address 32 (0x20) on /dev/i2c-1: there is no /dev/i2c-1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dtparam=i2c_arm=on", ex.Message, StringComparison.Ordinal);
    }
}
