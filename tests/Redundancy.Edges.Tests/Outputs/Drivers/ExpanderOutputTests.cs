using System.Device.Gpio;
using Iot.Device.Mcp23xxx;
using Iot.Device.Pcx857x;
using Redundancy.Core.Configuration;
using Redundancy.Core.Roles;
using Redundancy.Edges.Outputs;
using Redundancy.Edges.Outputs.Drivers;

namespace Redundancy.Edges.Tests.Outputs.Drivers;

/// <summary>
/// The output bank on relay boards' I/O expanders, against register-level simulations of the chips: channels are
/// released (inputs, high impedance) until driven, open at their level without a glitch, and are released again.
/// </summary>
public sealed class ExpanderOutputTests
{
    // relay1 on line 0 (active high), relay2 on line 9 or 5 (active low: the usual relay board), interlock and life
    // pins on the expander too.
    private static AgentOptions Options(string driver, int relay2Pin) => AgentConfig.Parse($$$"""
        {"pairId":7,"nodeId":1,"pairKeyFile":"/k","udp":{"bind":"127.0.0.1:5405","peer":"127.0.0.1:5406"},
         "gpio":{"driver":"{{{driver}}}","i2c":{"bus":1,"address":32}},
         "outputs":[{"name":"relay1","pin":0},{"name":"relay2","pin":{{{relay2Pin}}},"activeLow":true}],
         "interlock":{"iAmActivePin":6,"peerActivePin":7},
         "watchdog":{"lifePin":4,"holdTimeMs":40}}
        """, out var errors) ?? throw new InvalidOperationException(string.Join("; ", errors));

    [Theory]
    [InlineData(16, "mcp23017", 9)]
    [InlineData(8, "mcp23008", 5)]
    public void Mcp23xxx_ChannelsStartReleased_DriveWithoutAGlitch_AndReleaseToInputs(int lines, string driver, int relay2)
    {
        var chip = new Mcp23xxxSimulation(lines);
        using var bank = new GpioOutputBank(new GpioController(HardwareGpio.Expander(driver, chip)), Options(driver, relay2));

        Assert.Null(chip.Level(0));
        Assert.Null(chip.Level(relay2));
        Assert.Null(chip.Level(7)); // the peer-active input
        Assert.Equal(false, chip.Level(6)); // "I am active" opened low
        Assert.Equal(false, chip.Level(4)); // life signal opened low

        var before = chip.History.Count;
        bank.AssertActive();
        bank.Drive(0, true);
        bank.Drive(1, false); // active low: off is a high level
        Assert.Equal(true, chip.Level(6));
        Assert.Equal(true, chip.Level(0));
        Assert.Equal(true, chip.Level(relay2));
        Assert.DoesNotContain(chip.History.Skip(before), s => Mcp23xxxSimulation.Level(s, 0) == false);
        Assert.DoesNotContain(chip.History.Skip(before), s => Mcp23xxxSimulation.Level(s, relay2) == false);

        bank.Drive(1, true); // on: low
        bank.ToggleLife();
        Assert.Equal(false, chip.Level(relay2));
        Assert.Equal(true, chip.Level(4));

        bank.ReleaseAll();
        bank.DropActive();
        Assert.Null(chip.Level(0));
        Assert.Null(chip.Level(relay2));
        Assert.Equal(false, chip.Level(6));
        var releasedMask = (1 << 0) | (1 << relay2) | (1 << 7);
        Assert.Equal(releasedMask, chip.IodirValue & releasedMask); // IODIR 1: input, high impedance
        Assert.Equal(0, chip.IodirValue & ((1 << 6) | (1 << 4)));
    }

    [Fact]
    public void Mcp23017_DrivenAgainAfterRelease_OpensAtTheNewLevel()
    {
        var chip = new Mcp23xxxSimulation(16);
        using var bank = new GpioOutputBank(new GpioController(HardwareGpio.Expander(GpioDrivers.Mcp23017, chip)), Options(GpioDrivers.Mcp23017, 9));
        bank.Drive(1, true); // low
        bank.ReleaseAll();

        var before = chip.History.Count;
        bank.Drive(1, false); // high: the latch still says low from the last drive

        Assert.Equal(true, chip.Level(9));
        Assert.DoesNotContain(chip.History.Skip(before), s => Mcp23xxxSimulation.Level(s, 9) == false);
    }

    [Fact]
    public void Mcp23017_ReadsThePeerActiveInput()
    {
        var chip = new Mcp23xxxSimulation(16);
        using var bank = new GpioOutputBank(new GpioController(HardwareGpio.Expander(GpioDrivers.Mcp23017, chip)), Options(GpioDrivers.Mcp23017, 9));

        Assert.Equal(InterlockInput.PeerNotDriving, bank.ReadInterlock());
        chip.ExternalInputs = 1 << 7;
        Assert.Equal(InterlockInput.PeerDriving, bank.ReadInterlock());
    }

    [Fact]
    public void Mcp23017WithoutLatchFirst_ShowsTheGlitchTheWrapperPrevents()
    {
        // The binding as it is: OpenPin(pin, Output, High) clears IODIR with the latch at 0, then writes the latch.
        var chip = new Mcp23xxxSimulation(16);
        using var gpio = new GpioController(new Mcp23017(chip));

        var before = chip.History.Count;
        gpio.OpenPin(9, PinMode.Output, PinValue.High);

        Assert.Equal(true, chip.Level(9));
        Assert.Contains(chip.History.Skip(before), s => Mcp23xxxSimulation.Level(s, 9) == false);
    }

    [Fact]
    public void Pcf8574_NeverSeesALowLineItWasNotAskedFor_AndReleasesToHigh()
    {
        var chip = new Pcf8574Simulation();
        using var bank = new GpioOutputBank(new GpioController(HardwareGpio.Expander(GpioDrivers.Pcf8574, chip)), Options(GpioDrivers.Pcf8574, 5));

        // "I am active" (6) and the life pin (4) open low; every other line stays released (1).
        Assert.All(chip.Written, b => Assert.Equal(0xFF, b | (1 << 6) | (1 << 4)));
        Assert.Equal(0xFF, chip.Written[0]);
        Assert.Equal(0b1010_1111, chip.Latch);

        bank.AssertActive();
        bank.Drive(1, true); // active low relay on: line 5 low
        bank.Drive(0, false); // active high relay off: line 0 low
        Assert.Equal(0b1100_1110, chip.Latch);

        bank.ReleaseAll();
        bank.DropActive();
        Assert.Equal(0b1010_1111, chip.Latch); // outputs released: high, the chip's input level
    }

    [Fact]
    public void Pcf8574_ReadsThePeerActiveInput()
    {
        var chip = new Pcf8574Simulation();
        using var bank = new GpioOutputBank(new GpioController(HardwareGpio.Expander(GpioDrivers.Pcf8574, chip)), Options(GpioDrivers.Pcf8574, 5));

        Assert.Equal(InterlockInput.PeerDriving, bank.ReadInterlock()); // released and not pulled low: reads high
        chip.PulledLow = 1 << 7;
        Assert.Equal(InterlockInput.PeerNotDriving, bank.ReadInterlock());
    }

    [Fact]
    public void Pcf8574AsTheBindingOpensIt_DrivesEveryLineLow()
    {
        // Why ReleasedPcf8574 exists: Iot.Device.Bindings 4.2's constructor writes 0x00.
        var chip = new Pcf8574Simulation();

        using var driver = new Pcf8574(chip);

        Assert.Equal([0x00], chip.Written);
    }
}
