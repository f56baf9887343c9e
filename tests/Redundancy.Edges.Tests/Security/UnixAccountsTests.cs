using System.Diagnostics;
using Redundancy.Edges.Security;

namespace Redundancy.Edges.Tests.Security;

/// <summary>Group lookups against the machine's own tools (getent, id), whatever its accounts are.</summary>
public sealed class UnixAccountsTests
{
    [Fact]
    public void EveryGroupOfTheMachine_ResolvesToItsId_AnUnknownNameToNull()
    {
        foreach (var (name, gid, _) in Groups())
        {
            Assert.Equal(gid, UnixAccounts.GroupId(name));
        }

        Assert.Null(UnixAccounts.GroupId("no-such-group-here"));
    }

    [Fact]
    public void Membership_IsWhatIdSays_ForRootNobodyAndEveryListedMember()
    {
        var groups = Groups();
        var users = groups.SelectMany(g => g.Members).Append("root").Append("nobody").Distinct().ToArray();
        foreach (var user in users)
        {
            var uid = uint.Parse(Run("id", "-u", user).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            var ids = Run("id", "-G", user).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(uint.Parse).ToHashSet();
            foreach (var (name, gid, _) in groups)
            {
                Assert.True(ids.Contains(gid) == UnixAccounts.InGroup(uid, gid), $"{user} ({uid}) in {name} ({gid}): id says {ids.Contains(gid)}");
            }
        }
    }

    [Fact]
    public void UidWithoutAnAccount_IsInNoGroup()
    {
        Assert.False(UnixAccounts.InGroup(4_000_000_000, 0));
    }

    private static List<(string Name, uint Gid, string[] Members)> Groups() =>
        Run("getent", "group").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':'))
            .Select(f => (f[0], uint.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), f[3].Split(',', StringSplitOptions.RemoveEmptyEntries)))
            .ToList();

    private static string Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true })!;
        var output = p.StandardOutput.ReadToEndAsync();
        Assert.True(p.WaitForExit(10_000), $"{file} did not finish");
        return output.Result;
    }
}
