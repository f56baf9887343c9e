using Redundancy.Core.Configuration;

namespace Redundancy.Core.Tests.Configuration;

/// <summary>The <c>gpio</c> section: driver names, the chip by number or label, the I2C expanders and their lines.</summary>
public sealed class GpioConfigTests
{
    private static string Config(string gpio, string outputs = "[]", string extra = "") => $$"""
        {"pairId":7,"nodeId":1,"pairKeyFile":"/k","udp":{"bind":"127.0.0.1:5405","peer":"127.0.0.1:5406"},
         "gpio":{{gpio}},"outputs":{{outputs}}{{extra}}}
        """;

    private static GpioOptions Parsed(string gpio, string outputs = "[]", string extra = "")
    {
        var options = AgentConfig.Parse(Config(gpio, outputs, extra), out var errors);
        Assert.Empty(errors);
        Assert.NotNull(options);
        return options.Gpio;
    }

    private static IReadOnlyList<string> Refused(string gpio, string outputs = "[]", string extra = "")
    {
        var options = AgentConfig.Parse(Config(gpio, outputs, extra), out var errors);
        Assert.Null(options);
        return errors;
    }

    [Fact]
    public void EmptySection_IsAutoDriverAndAutoChip()
    {
        var gpio = Parsed("{}");

        Assert.Equal(new GpioOptions(GpioDrivers.Auto, GpioChipSelector.Auto, null), gpio);
        Assert.True(gpio.Chip.IsAuto);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("libgpiod-v2")]
    [InlineData("libgpiod-v1")]
    public void LibgpiodDrivers_AreAccepted(string driver)
    {
        Assert.Equal(driver, Parsed($$"""{"driver":"{{driver}}"}""").Driver);
    }

    [Fact]
    public void OldLibgpiodName_IsReadAsV1()
    {
        Assert.Equal(GpioDrivers.LibgpiodV1, Parsed("""{"driver":"libgpiod","chip":0}""").Driver);
    }

    [Theory]
    [InlineData("4", 4, null)]
    [InlineData("\"4\"", 4, null)]
    [InlineData("\"gpiochip4\"", 4, null)]
    [InlineData("\"pinctrl-rp1\"", null, "pinctrl-rp1")]
    [InlineData("\"pinctrl-bcm2711\"", null, "pinctrl-bcm2711")]
    [InlineData("\"auto\"", null, null)]
    public void Chip_IsANumberOrALabel(string chip, int? number, string? label)
    {
        Assert.Equal(new GpioChipSelector(number, label), Parsed($$"""{"driver":"libgpiod-v2","chip":{{chip}}}""").Chip);
    }

    [Theory]
    [InlineData("""{"driver":"libgpiod-v3"}""", "gpio.driver")]
    [InlineData("""{"driver":"libgpiod-v2","chip":"pinctrl rp1"}""", "gpio.chip")]
    [InlineData("""{"driver":"libgpiod-v2","chip":"/dev/gpiochip0"}""", "gpio.chip")]
    [InlineData("""{"driver":"libgpiod-v2","chip":""}""", "gpio.chip")]
    [InlineData("""{"driver":"libgpiod-v2","chip":true}""", "gpio.chip")]
    [InlineData("""{"driver":"libgpiod-v2","chip":"gpiochip999"}""", "gpio.chip")]
    [InlineData("""{"driver":"libgpiod-v2","chip":1.5}""", "gpio.chip")]
    [InlineData("""{"driver":"mcp23017","i2c":{"bus":1,"address":32},"chip":0}""", "gpio.chip")]
    [InlineData("""{"driver":"auto","simulatorSocket":"/s"}""", "gpio.simulatorSocket")]
    [InlineData("""{"driver":"mcp23017"}""", "gpio.i2c")]
    [InlineData("""{"driver":"mcp23017","i2c":{"address":32}}""", "gpio.i2c.bus")]
    [InlineData("""{"driver":"mcp23017","i2c":{"bus":256,"address":32}}""", "gpio.i2c.bus")]
    [InlineData("""{"driver":"mcp23017","i2c":{"bus":1}}""", "gpio.i2c.address")]
    [InlineData("""{"driver":"mcp23017","i2c":{"bus":1,"address":64}}""", "gpio.i2c.address")]
    [InlineData("""{"driver":"mcp23008","i2c":{"bus":1,"address":56}}""", "gpio.i2c.address")]
    [InlineData("""{"driver":"pcf8574","i2c":{"bus":1,"address":31}}""", "gpio.i2c.address")]
    [InlineData("""{"driver":"pcf8574","i2c":{"bus":1,"address":128}}""", "gpio.i2c.address")]
    [InlineData("""{"driver":"libgpiod-v2","i2c":{"bus":1,"address":32}}""", "gpio.i2c")]
    [InlineData("""{"driver":"mcp23017","i2c":{"bus":1,"address":32,"speed":400}}""", "$.gpio.i2c.speed")]
    public void Mistake_IsNamedByItsField(string gpio, string field)
    {
        var errors = Refused(gpio);

        Assert.Contains(errors, e => e.StartsWith(field + ": ", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownDriver_SaysWhatToWrite()
    {
        var error = Assert.Single(Refused("""{"driver":"sysfs"}"""));

        Assert.StartsWith("gpio.driver: ", error, StringComparison.Ordinal);
        foreach (var name in GpioDrivers.All)
        {
            Assert.Contains($"\"{name}\"", error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("mcp23017", 32)]
    [InlineData("mcp23017", 39)]
    [InlineData("mcp23008", 33)]
    [InlineData("pcf8574", 39)]
    [InlineData("pcf8574", 56)]
    [InlineData("pcf8574", 63)]
    public void Expander_WithBusAndAddress_IsAccepted(string driver, int address)
    {
        var gpio = Parsed($$$"""{"driver":"{{{driver}}}","i2c":{"bus":1,"address":{{{address}}}}}""");

        Assert.Equal(new GpioOptions(driver, GpioChipSelector.Auto, null, new I2cDeviceOptions(1, address)), gpio);
        Assert.True(gpio.IsExpander);
    }

    [Theory]
    [InlineData("mcp23017", 15, true)]
    [InlineData("mcp23017", 16, false)]
    [InlineData("mcp23008", 7, true)]
    [InlineData("mcp23008", 8, false)]
    [InlineData("pcf8574", 8, false)]
    public void ExpanderPins_MustBeItsLines(string driver, int pin, bool ok)
    {
        var gpio = $$$"""{"driver":"{{{driver}}}","i2c":{"bus":1,"address":32}}""";
        var outputs = $$"""[{"name":"relay1","pin":0},{"name":"relay2","pin":{{pin}}}]""";

        var options = AgentConfig.Parse(Config(gpio, outputs), out var errors);

        Assert.Equal(ok, options is not null);
        Assert.Equal(ok, !errors.Any(e => e.StartsWith("outputs[1].pin: ", StringComparison.Ordinal)));
    }

    [Fact]
    public void ExpanderLines_AreCheckedForTheInterlockAndTheLifePinToo()
    {
        var extra = ""","interlock":{"iAmActivePin":8,"peerActivePin":3},"watchdog":{"lifePin":9,"holdTimeMs":40}""";

        var errors = Refused("""{"driver":"pcf8574","i2c":{"bus":1,"address":32}}""", "[]", extra);

        Assert.Contains(errors, e => e.StartsWith("interlock.iAmActivePin: must be from 0 to 7", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("watchdog.lifePin: must be from 0 to 7", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.StartsWith("interlock.peerActivePin", StringComparison.Ordinal));
    }

    [Fact]
    public void PiPins_AreNotLimitedToAnExpandersLines()
    {
        var options = AgentConfig.Parse(Config("""{"driver":"libgpiod-v2","chip":"pinctrl-rp1"}""", """[{"name":"pump1","pin":27}]"""), out var errors);

        Assert.Empty(errors);
        Assert.NotNull(options);
    }
}
