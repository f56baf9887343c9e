using System.Device.Gpio;
using Redundancy.Edges.Outputs.Drivers;

namespace Redundancy.Edges.Tests.Outputs.Drivers;

/// <summary>LatchFirstDriver over a model of LibGpiodV2Driver: an output opens at its value, never at the default.</summary>
public sealed class LatchFirstDriverTests
{
    [Fact]
    public void LibgpiodV2AsItIs_OpensAnOutputLowBeforeItsHighValue()
    {
        var model = new LibgpiodV2Model();
        using var gpio = new GpioController(model);

        gpio.OpenPin(17, PinMode.Output, PinValue.High);

        Assert.Equal([(17, PinValue.Low), (17, PinValue.High)], model.Timeline.Select(t => (t.Pin, (PinValue)t.Level!)));
    }

    [Fact]
    public void Wrapped_OpensAnOutputAtItsValueOnly()
    {
        var model = new LibgpiodV2Model();
        using var gpio = new GpioController(new LatchFirstDriver(model));

        gpio.OpenPin(17, PinMode.Output, PinValue.High);

        Assert.Equal([(17, (PinValue?)PinValue.High)], model.Timeline);
        Assert.Equal(PinMode.Output, gpio.GetPinMode(17));
    }

    [Fact]
    public void Wrapped_ReleasedAndDrivenAgain_ShowsNoOtherLevel()
    {
        var model = new LibgpiodV2Model();
        using var gpio = new GpioController(new LatchFirstDriver(model));
        gpio.OpenPin(17, PinMode.Input);
        gpio.ClosePin(17);
        gpio.OpenPin(17, PinMode.Output, PinValue.High);
        gpio.Write(17, PinValue.Low);
        gpio.SetPinMode(17, PinMode.Input);
        gpio.ClosePin(17);
        model.Timeline.Clear();

        gpio.OpenPin(17, PinMode.Output, PinValue.High);

        Assert.Equal([(17, (PinValue?)PinValue.High)], model.Timeline);
    }
}
