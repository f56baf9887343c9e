using System.Runtime.InteropServices;

namespace Redundancy.Edges.Security;

/// <summary>
/// Users and groups as the machine knows them (the C library's lookups, so /etc/group and whatever nsswitch.conf
/// adds): resolving a group name, and whether a user belongs to a group. Each call reads the databases again, so a
/// change to /etc/group counts from the next call. Thread-safe (the reentrant lookups).
/// </summary>
public static unsafe partial class UnixAccounts
{
    private const int Erange = 34;

    /// <summary>This process's effective user id.</summary>
    public static uint EffectiveUid => GetEuid();

    /// <summary>The id of the group called <paramref name="name"/>, or null when the machine knows no such group.</summary>
    public static uint? GroupId(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        for (var size = 1024; size <= 1 << 20; size *= 4)
        {
            var buffer = new byte[size];
            Group group;
            Group* result;
            int error;
            fixed (byte* b = buffer)
            {
                error = GetGrNam(name, &group, b, (nuint)size, &result);
            }

            if (error == Erange)
            {
                continue;
            }

            // 0 without a result: no such group. Another error (ENOENT on some libcs, EIO): treated as unknown too, which
            // refuses the configuration or the caller, never grants anything.
            return error == 0 && result != null ? group.Gid : null;
        }

        return null;
    }

    /// <summary>
    /// Whether the user <paramref name="uid"/> belongs to group <paramref name="gid"/>: as its primary group or as a
    /// supplementary one in the group database. False for a uid without an account.
    /// </summary>
    public static bool InGroup(uint uid, uint gid)
    {
        for (var size = 1024; size <= 1 << 20; size *= 4)
        {
            var buffer = new byte[size];
            Passwd user;
            Passwd* result;
            fixed (byte* b = buffer)
            {
                var error = GetPwUid(uid, &user, b, (nuint)size, &result);
                if (error == Erange)
                {
                    continue;
                }

                if (error != 0 || result == null)
                {
                    return false;
                }

                return user.Gid == gid || Supplementary((byte*)user.Name, user.Gid).Contains(gid);
            }
        }

        return false;
    }

    private static uint[] Supplementary(byte* name, uint primary)
    {
        var count = 64;
        while (true)
        {
            var groups = new uint[count];
            var n = count;
            int found;
            fixed (uint* g = groups)
            {
                found = GetGroupList(name, primary, g, &n);
            }

            if (found >= 0)
            {
                return groups[..found];
            }

            if (n <= count || count >= 1 << 16)
            {
                return groups; // the most it gives; a user in over 65536 groups is not a case we serve
            }

            count = n;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Group
    {
        public nint Name;
        public nint Password;
        public uint Gid;
        public nint Members;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Passwd
    {
        public nint Name;
        public nint Password;
        public uint Uid;
        public uint Gid;
        public nint Gecos;
        public nint Home;
        public nint Shell;
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "getgrnam_r", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int GetGrNam(string name, Group* group, byte* buffer, nuint length, Group** result);

    [LibraryImport("libc", EntryPoint = "getpwuid_r")]
    private static partial int GetPwUid(uint uid, Passwd* user, byte* buffer, nuint length, Passwd** result);

    [LibraryImport("libc", EntryPoint = "getgrouplist")]
    private static partial int GetGroupList(byte* user, uint group, uint* groups, int* count);
}
