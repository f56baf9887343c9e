using System.Globalization;
using Redundancy.Edges.Net;
using Redundancy.Edges.Security;

namespace Redundancy.Agent.Control;

/// <summary>
/// Who may send the control socket's changing ops (state writes; switchover and maintenance next): root, the agent's own
/// user, and members of <c>control.group</c> (the caller's group, or a supplementary group of its user). Reading ops are
/// open to whoever can open the socket. Thread-safe.
/// </summary>
internal sealed class ControlAccess
{
    private readonly Func<uint, uint, bool> _inGroup;

    public ControlAccess(uint agentUid, string? group, uint? groupId, Func<uint, uint, bool>? inGroup = null)
    {
        AgentUid = agentUid;
        Group = group;
        GroupId = groupId;
        _inGroup = inGroup ?? UnixAccounts.InGroup;
    }

    /// <summary>The agent's effective uid.</summary>
    public uint AgentUid { get; }

    /// <summary>The configured group's name, or null.</summary>
    public string? Group { get; }

    /// <summary>The configured group's id, resolved at start, or null.</summary>
    public uint? GroupId { get; }

    /// <summary>Resolves <paramref name="group"/> (<c>control.group</c>, may be null) now, at start; a name the machine does
    /// not know is refused with <see cref="InvalidDataException"/> naming it.</summary>
    public static ControlAccess Resolve(string? group)
    {
        uint? gid = null;
        if (group is not null)
        {
            gid = UnixAccounts.GroupId(group)
                ?? throw new InvalidDataException($"control.group: there is no group \"{group}\" on this machine (getent group {group} finds none): create it or name another");
        }

        return new ControlAccess(UnixAccounts.EffectiveUid, group, gid);
    }

    /// <summary>Whether deciding about <paramref name="caller"/> reads the group database (which may be slow: LDAP).</summary>
    public bool NeedsLookup(PeerCredentials caller) =>
        caller.Uid != 0 && caller.Uid != AgentUid && GroupId is { } gid && caller.Gid != gid;

    /// <summary>Whether <paramref name="caller"/> may send changing ops; may read the group database (see
    /// <see cref="NeedsLookup"/>).</summary>
    public bool MayChange(PeerCredentials caller) =>
        caller.Uid == 0 || caller.Uid == AgentUid || (GroupId is { } gid && (caller.Gid == gid || _inGroup(caller.Uid, gid)));

    /// <summary>The refusal of <paramref name="op"/> to <paramref name="uid"/>: who it was and what it needs.</summary>
    public string Refusal(uint uid, string op)
    {
        var who = AgentUid == 0 ? "root (uid 0)" : $"root (uid 0), the agent's user (uid {AgentUid.ToString(CultureInfo.InvariantCulture)})";
        var group = Group is null
            ? "; no control.group is configured to let a group change the node"
            : $" or membership of group {Group} (gid {GroupId!.Value.ToString(CultureInfo.InvariantCulture)})";
        return $"uid {uid.ToString(CultureInfo.InvariantCulture)} may not {op}: changing ops need {who}{group}";
    }
}
