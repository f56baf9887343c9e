using Microsoft.Extensions.Time.Testing;
using Redundancy.Agent.Engine;
using Redundancy.Agent.Hosting;
using Redundancy.Core.Roles;

namespace Redundancy.Agent.Tests;

/// <summary>The engine as systemd is told about it: ready once decided or waiting, the status line, the progress.</summary>
public sealed class EngineServiceStateTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Starting_NotReadyUntilDecided_ThenTheRoleReadinessAndEpoch()
    {
        var view = new EngineView(2, Announcement.Starting(4, HealthFlags.None), _time.GetTimestamp());
        var state = new EngineServiceState(view, Window, _time);
        state.Started();
        _time.Advance(TimeSpan.FromSeconds(1));
        var starting = state.Read();
        Assert.False(starting.Ready);
        Assert.Equal("Starting, not-ready, epoch 4", starting.Status);
        Assert.Same(starting.Status, state.Read().Status); // no new string while nothing changed

        view.Publish(new Announcement(Role.Standby, 4, Readiness.Warm, HealthFlags.None, new ServiceLevel(100, RedundancyMode.BackupReady)));
        var standby = state.Read();
        Assert.True(standby.Ready);
        Assert.Equal("Standby, warm, epoch 4", standby.Status);

        view.Publish(new Announcement(Role.Active, 5, Readiness.Hot, HealthFlags.None, new ServiceLevel(255, RedundancyMode.PrimaryWithBackup)));
        Assert.Equal("Active, hot, epoch 5", state.Read().Status);
    }

    [Fact]
    public void AloneAfterTheWindow_ReadyAndSaysItWaitsForThePeer()
    {
        var view = new EngineView(1, Announcement.Starting(0, HealthFlags.None), _time.GetTimestamp());
        var state = new EngineServiceState(view, Window, _time);
        _time.Advance(Window * 2);
        Assert.False(state.Read().Ready); // the engine has not started: its window has not begun

        state.Started();
        _time.Advance(Window - TimeSpan.FromMilliseconds(1));
        Assert.False(state.Read().Ready);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        var waiting = state.Read();
        Assert.True(waiting.Ready);
        Assert.StartsWith("Starting, waiting for the peer", waiting.Status, StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_IsTheEngineLoopsStamp()
    {
        var view = new EngineView(1, Announcement.Starting(0, HealthFlags.None), 0);
        var state = new EngineServiceState(view, Window, _time);
        view.Progress(12345);
        Assert.Equal(12345, state.Read().LastProgress);
    }
}
