namespace Redundancy.Agent.Engine;

/// <summary>What the engine tells people: status for the control socket, link health and drops for the journal.</summary>
internal sealed partial class AgentEngine
{
    /// <summary>A status snapshot for the control socket.</summary>
    public System.Text.Json.Nodes.JsonObject Status()
    {
        var a = Volatile.Read(ref _announcement);
        var heap = GC.GetGCMemoryInfo();
        return new System.Text.Json.Nodes.JsonObject
        {
            ["node"] = _node,
            ["nodeId"] = _options.NodeId,
            ["role"] = a.Role.ToString(),
            ["epoch"] = a.Epoch,
            ["readiness"] = a.Readiness.ToString(),
            ["lastSequence"] = _storage?.Store.LastSequence ?? 0,
            ["storageCommits"] = _storage?.Commits ?? 0,
            ["storageEntries"] = _storage?.Entries ?? 0,
            ["activePeer"] = _activePeer,
            ["peerRole"] = _peerSeen?.Role.ToString(),
            ["peerReadiness"] = _peerSeen?.Readiness.ToString(),
            ["heartbeatLateMaxMs"] = _senders.Count == 0 ? 0 : _senders.Max(x => x.MaxLate.TotalMilliseconds),
            ["runtimePauseMaxMs"] = _pauses.Max.TotalMilliseconds,
            ["runtimePauseMaxReason"] = _pauses.MaxReason,
            ["runtimePauses"] = _pauses.Count,
            ["gcHeapBytes"] = heap.HeapSizeBytes,
            ["gcGenerationBytes"] = new System.Text.Json.Nodes.JsonArray(heap.GenerationInfo.ToArray().Select(g => (System.Text.Json.Nodes.JsonNode?)g.SizeAfterBytes).ToArray()),
            ["gcGen0BudgetBytes"] = GC.GetConfigurationVariables().TryGetValue("GCGen0MaxBudget", out var budget) ? Convert.ToInt64(budget, System.Globalization.CultureInfo.InvariantCulture) : 0,
            ["collectorThreadsRealtime"] = _collectorThreadsRaised,
            ["spinGuardLowerings"] = _guard?.Lowerings ?? 0,
            ["spinGuardLongestSpinMs"] = _guard?.LongestSpin.TotalMilliseconds ?? 0,
            ["heartbeatThreadsAllocatedBytes"] = new System.Text.Json.Nodes.JsonObject(AllocationProbe.Totals.Select(kv => KeyValuePair.Create(kv.Key, (System.Text.Json.Nodes.JsonNode?)System.Text.Json.Nodes.JsonValue.Create(kv.Value)))),
            ["roleChanges"] = Volatile.Read(ref _roleChanges),
            ["links"] = new System.Text.Json.Nodes.JsonArray(_links.Select((l, i) => (System.Text.Json.Nodes.JsonNode?)new System.Text.Json.Nodes.JsonObject
            {
                ["name"] = l.Name,
                ["up"] = _machine.Links[i].IsUp,
                ["framesIn"] = l.Counters.FramesIn,
                ["framesOut"] = l.Counters.FramesOut,
                ["roundTripMs"] = _receivers[i].RoundTripTicks < 0 ? null : _receivers[i].RoundTripTicks * 1000.0 / _time.TimestampFrequency,
                ["floods"] = _receivers[i].Floods,
                ["dropped"] = new System.Text.Json.Nodes.JsonObject(Reasons.Skip(1).Select(r => KeyValuePair.Create(r.ToString(), (System.Text.Json.Nodes.JsonNode?)l.Counters.Dropped(r)))),
            }).ToArray()),
        };
    }

    private void ReportLinkChanges()
    {
        for (var i = 0; i < _links.Count; i++)
        {
            var up = _machine.Links[i].IsUp;
            if (up != _linkWasUp[i])
            {
                _linkWasUp[i] = up;
                if (up)
                {
                    Log.LinkUp(_log, _node, _links[i].Name);
                }
                else
                {
                    Log.LinkDown(_log, _node, _links[i].Name);
                }
            }
        }
    }

    private void ReportLinks()
    {
        ReportLinkChanges();
        var reasons = Reasons;
        for (var i = 0; i < _links.Count; i++)
        {
            var counters = _links[i].Counters;
            for (var r = 1; r < reasons.Length; r++)
            {
                var slot = (i * reasons.Length) + r;
                var total = counters.Dropped(reasons[r]);
                if (total != _dropsSeen[slot])
                {
                    Log.FramesDropped(_log, _node, _links[i].Name, reasons[r].ToString(), total - _dropsSeen[slot], total);
                    _dropsSeen[slot] = total;
                }
            }
        }

        var now = _time.GetTimestamp();
        if (now >= _nextStatus)
        {
            // Once a minute, each link's health for the journal (status topics and the CLI come later).
            _nextStatus = now + (60 * _time.TimestampFrequency);
            for (var i = 0; i < _links.Count; i++)
            {
                var c = _links[i].Counters;
                var m = _machine.Links[i];
                Log.LinkStatus(_log, _node, _links[i].Name, m.IsUp ? "up" : "down", m.FramesPerSecond, c.FramesIn, c.FramesOut,
                    c.DroppedTotal, c.SendErrors, c.ReceiveErrors, c.Reopens);
            }

            // Garbage collections stop every thread, the heartbeat threads too: keep their cost in view.
            var gc = GC.GetGCMemoryInfo(GCKind.Any);
            var lastPause = gc.PauseDurations.Length > 0 ? gc.PauseDurations[0].TotalMilliseconds : 0;
            Log.RuntimeStatus(_log, _node, GC.GetTotalAllocatedBytes() / 1024, GC.CollectionCount(0), GC.CollectionCount(1),
                GC.CollectionCount(2), lastPause);
        }

        // The runtime stopping every thread (a collection, tiered compilation) stops the heartbeat threads too.
        var pause = _pauses.Max;
        if (pause > _pauseReported && pause > _options.PeerTimeout / 3)
        {
            _pauseReported = pause;
            Log.RuntimePaused(_log, _node, pause.TotalMilliseconds, _pauses.MaxReason);
        }

        if (_guard is { } guard && guard.Lowerings != _loweringsReported)
        {
            _loweringsReported = guard.Lowerings;
            Log.SpinLowered(_log, _node, guard.LastLowered, _loweringsReported, guard.LongestSpin.TotalMilliseconds);
        }

        for (var i = 0; i < _senders.Count; i++)
        {
            // A sender waking late eats into the peer's timeout: report each new worst that passes a third of it.
            var late = _senders[i].MaxLate;
            if (late > _lateReported[i] && late > _options.PeerTimeout / 3)
            {
                _lateReported[i] = late;
                Log.SenderLate(_log, _node, _links[i].Name, late.TotalMilliseconds);
            }
        }
    }
}
