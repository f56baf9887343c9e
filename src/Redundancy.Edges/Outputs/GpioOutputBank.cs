using System.Device.Gpio;
using Redundancy.Core.Configuration;
using Redundancy.Core.Outputs;
using Redundancy.Core.Roles;

namespace Redundancy.Edges.Outputs;

/// <summary>
/// Outputs through System.Device.Gpio. A field pin is released by switching it to input, not by closing
/// it: on a Pi a closed line keeps driving its last level. A pin goes to output already at its value
/// (OpenPin with an initial value), so it never shows a glitch.
/// </summary>
public sealed class GpioOutputBank : IOutputBank
{
    private readonly GpioController _gpio;
    private readonly IReadOnlyList<OutputChannel> _channels;
    private readonly InterlockOptions? _interlock;
    private readonly WatchdogOptions? _watchdog;
    private readonly Lock _gate = new();
    private readonly bool[] _driving;
    private readonly bool[] _values;
    private bool _life;
    private bool _disposed;

    /// <summary>Opens every configured pin in its safe, released state.</summary>
    public GpioOutputBank(GpioController gpio, AgentOptions options)
    {
        _gpio = gpio;
        _channels = options.Outputs;
        _interlock = options.Interlock;
        _watchdog = options.Watchdog;
        _driving = new bool[_channels.Count];
        _values = new bool[_channels.Count];
        foreach (var c in _channels)
        {
            _gpio.OpenPin(c.Pin, PinMode.Input);
        }

        if (_interlock is not null)
        {
            _gpio.OpenPin(_interlock.IAmActivePin, PinMode.Output, PinValue.Low);
            if (_interlock.PeerActivePin is { } peer)
            {
                _gpio.OpenPin(peer, PinMode.Input);
            }
        }

        if (_watchdog is not null)
        {
            _gpio.OpenPin(_watchdog.LifePin, PinMode.Output, PinValue.Low);
        }
    }

    /// <inheritdoc />
    public int ChannelCount => _channels.Count;

    /// <inheritdoc />
    public void AssertActive()
    {
        if (_interlock is not null)
        {
            lock (_gate)
            {
                _gpio.Write(_interlock.IAmActivePin, PinValue.High);
            }
        }
    }

    /// <inheritdoc />
    public void DropActive()
    {
        if (_interlock is not null)
        {
            lock (_gate)
            {
                if (!_disposed)
                {
                    _gpio.Write(_interlock.IAmActivePin, PinValue.Low);
                }
            }
        }
    }

    /// <inheritdoc />
    public void Drive(int channel, bool value)
    {
        var c = _channels[channel];
        var level = value ^ c.ActiveLow ? PinValue.High : PinValue.Low;
        lock (_gate)
        {
            if (_driving[channel])
            {
                _gpio.Write(c.Pin, level);
            }
            else
            {
                _gpio.ClosePin(c.Pin);
                _gpio.OpenPin(c.Pin, PinMode.Output, level);
                _driving[channel] = true;
            }

            _values[channel] = value;
        }
    }

    /// <inheritdoc />
    public void ReleaseAll()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            for (var i = 0; i < _channels.Count; i++)
            {
                if (_driving[i])
                {
                    _gpio.SetPinMode(_channels[i].Pin, PinMode.Input);
                    _driving[i] = false;
                }
            }
        }
    }

    /// <inheritdoc />
    public void ToggleLife()
    {
        if (_watchdog is not null)
        {
            lock (_gate)
            {
                _life = !_life;
                _gpio.Write(_watchdog.LifePin, _life ? PinValue.High : PinValue.Low);
            }
        }
    }

    /// <inheritdoc />
    public InterlockInput ReadInterlock()
    {
        if (_interlock?.PeerActivePin is not { } pin)
        {
            return InterlockInput.NotWired;
        }

        lock (_gate)
        {
            return _gpio.Read(pin) == PinValue.High ? InterlockInput.PeerDriving : InterlockInput.PeerNotDriving;
        }
    }

    /// <inheritdoc />
    public (bool Driving, bool Value) State(int channel)
    {
        lock (_gate)
        {
            return (_driving[channel], _values[channel]);
        }
    }

    /// <summary>Releases the outputs and drops "I am active", then closes the controller.</summary>
    public void Dispose()
    {
        try
        {
            ReleaseAll();
            DropActive();
        }
        catch (IOException)
        {
            // the pins are gone already (driver lost); nothing left to release
        }

        lock (_gate)
        {
            _disposed = true;
            _gpio.Dispose();
        }
    }
}
