namespace Redundancy.Core.Commands;

/// <summary>What a remote command asks for: only these two, by design (docs/mqtt.md, "Remote commands").</summary>
public enum RemoteOp : byte
{
    /// <summary>A graceful switchover, as <c>redundancyctl switchover [--force]</c>.</summary>
    Switchover,

    /// <summary>The pair's maintenance mode on or off, as <c>redundancyctl maintenance on|off</c>.</summary>
    Maintenance,
}

/// <summary>Why a remote command was refused; each reason is counted.</summary>
public enum RemoteRefusal : byte
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>Longer than <see cref="RemoteCommandCodec.MaxPayload"/> bytes.</summary>
    TooLarge,

    /// <summary>Not an envelope (<c>{"body": "...", "mac": "..."}</c>): not authenticated, not answered.</summary>
    Malformed,

    /// <summary>The MAC is not the pair key's over this topic and body: not authenticated, not answered.</summary>
    BadMac,

    /// <summary>Authentic, but the body is not a valid request (unknown op, missing or bad field).</summary>
    BadRequest,

    /// <summary>Its timestamp is further from this node's clock than the allowed skew.</summary>
    Stale,

    /// <summary>Timestamped before this agent started: the previous run may have seen it.</summary>
    BeforeStart,

    /// <summary>Its nonce was seen within the freshness window: a replay.</summary>
    Replayed,

    /// <summary>Too many commands within the window, or one still running: refused, not queued.</summary>
    Busy,
}

/// <summary>An authenticated, fresh, never-seen remote command.</summary>
/// <param name="Op">What it asks for.</param>
/// <param name="On">For maintenance: on or off.</param>
/// <param name="Force">For a switchover: override the standby's readiness (as <c>--force</c>).</param>
/// <param name="TimeoutMs">For a switchover: how long to wait for it, or null for the CLI's default.</param>
/// <param name="Requester">Who sent it, as it says (named in the events; authenticated by the pair key, not by name).</param>
/// <param name="Id">The sender's correlation id, echoed in the reply, or null.</param>
/// <param name="Nonce">The nonce, echoed in the reply.</param>
/// <param name="TimestampMs">When it was sent, Unix milliseconds.</param>
public sealed record RemoteCommand(RemoteOp Op, bool On, bool Force, int? TimeoutMs, string Requester, string? Id, string Nonce, long TimestampMs);

/// <summary>The verdict on one message of the command topic.</summary>
/// <param name="Refusal">Why it was refused, or <see cref="RemoteRefusal.None"/>.</param>
/// <param name="Text">What is wrong, in plain words (null when accepted).</param>
/// <param name="Command">The command when accepted; for a refusal of an authentic message, what could be read of it (to
/// address the reply), else null.</param>
public readonly record struct RemoteVerdict(RemoteRefusal Refusal, string? Text, RemoteCommand? Command)
{
    /// <summary>Whether the command may run.</summary>
    public bool Accepted => Refusal == RemoteRefusal.None;

    /// <summary>Whether the message came with the pair key's MAC (so it is answered, even when refused).</summary>
    public bool Authentic => Refusal is not (RemoteRefusal.TooLarge or RemoteRefusal.Malformed or RemoteRefusal.BadMac);
}
