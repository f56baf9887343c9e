namespace Redundancy.Core.Roles;

/// <summary>Link health and the alarms an operator must see, raised and cleared with a reason.</summary>
public sealed partial class RoleStateMachine
{
    private void EvaluateLinks(long now)
    {
        var anyUp = false;
        foreach (var link in _links)
        {
            link.Evaluate(now);
            anyUp |= link.IsUp;
        }

        var settled = _time.GetElapsedTime(_startedAt, now) >= _options.StartupWindow;
        for (var i = 0; i < _links.Length; i++)
        {
            if (_links[i].IsUp)
            {
                _linkDownSince[i] = -1;
                Clear(ref _linkAlarm[i], AlarmKind.LinkDown, _links[i].Name, _linkUpText[i]);
                continue;
            }

            if (_linkDownSince[i] < 0)
            {
                _linkDownSince[i] = now;
            }

            // Degraded only when this link stays down for a further peer timeout while another carries frames:
            // a dying peer falls silent on each link a few milliseconds apart, and a restarting one comes up so.
            if (anyUp && settled && _time.GetElapsedTime(_linkDownSince[i], now) >= _options.PeerTimeout)
            {
                Raise(ref _linkAlarm[i], AlarmKind.LinkDown, _links[i].Name, _linkDownText[i]);
            }
        }
    }

    private void UpdatePeerLostAlarm(bool fresh, bool misconfigured)
    {
        if (fresh)
        {
            Clear(ref _peerLostAlarm, AlarmKind.PeerLost, "peer", "peer heard again");
            Clear(ref _unfencedAlarm, AlarmKind.UnfencedTakeover, "peer", "peer heard again");
        }
        else if (misconfigured)
        {
            // Not "silent": frames arrive, and the misconfigured-peer alarm says what they are.
            Clear(ref _peerLostAlarm, AlarmKind.PeerLost, "peer", "frames of a misconfigured peer arrive instead");
        }
        else if (_peerHeard)
        {
            Raise(ref _peerLostAlarm, AlarmKind.PeerLost, "peer", "peer silent on all links");
        }
    }

    private void Raise(ref bool flag, AlarmKind kind, string subject, string text)
    {
        if (!flag)
        {
            flag = true;
            _alarms.Enqueue(new AlarmChange(kind, subject, true, text));
        }
    }

    private void Clear(ref bool flag, AlarmKind kind, string subject, string text)
    {
        if (flag)
        {
            flag = false;
            _alarms.Enqueue(new AlarmChange(kind, subject, false, text));
        }
    }
}
