using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Redundancy.Edges.Security;

/// <summary>
/// A file opened once without following a symbolic link (O_NOFOLLOW), whose owner and mode are read from the opened
/// descriptor (statx on the descriptor) and whose content is read from that same descriptor: nothing can be swapped
/// between the check and the read. Linux only.
/// </summary>
public sealed partial class OpenedFile : IDisposable
{
    private const int OCloexec = 0x80000;
    private const int AtEmptyPath = 0x1000;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;
    private const int Eloop = 40;
    private const int Enoent = 2;

    private readonly SafeFileHandle _handle;

    private OpenedFile(SafeFileHandle handle, uint owner, uint mode)
    {
        _handle = handle;
        Owner = owner;
        Mode = mode;
    }

    /// <summary>The owner's uid.</summary>
    public uint Owner { get; }

    /// <summary>st_mode: type and permission bits.</summary>
    public uint Mode { get; }

    /// <summary>Whether it is a regular file.</summary>
    public bool IsRegular => (Mode & 0xF000) == 0x8000;

    /// <summary>The effective uid of this process.</summary>
    public static uint EffectiveUser => GetEuid();

    /// <summary>Opens <paramref name="path"/> read-only; <see cref="InvalidDataException"/> naming it when it is missing,
    /// a symbolic link, or cannot be opened.</summary>
    public static OpenedFile Open(string path, string what)
    {
        var fd = OpenNative(path, NoFollow | OCloexec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new InvalidDataException(errno switch
            {
                Enoent => $"{what} {path}: file not found",
                Eloop => $"{what} {path}: is a symbolic link; name the file itself (symbolic links are not followed)",
                _ => $"{what} {path}: cannot be opened: {Marshal.GetPInvokeErrorMessage(errno)}",
            });
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        Span<byte> stat = stackalloc byte[256];
        if (Statx((int)fd, string.Empty, AtEmptyPath, StatxBasicStats, ref MemoryMarshal.GetReference(stat)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw new InvalidDataException($"{what} {path}: cannot be examined: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        var owner = BinaryPrimitives.ReadUInt32LittleEndian(stat[20..]);
        var mode = (uint)BinaryPrimitives.ReadUInt16LittleEndian(stat[28..]);
        return new OpenedFile(handle, owner, mode);
    }

    /// <summary>The st_mode of <paramref name="path"/> itself (a symbolic link is not followed), or null when nothing is there.</summary>
    public static uint? ModeOf(string path)
    {
        Span<byte> stat = stackalloc byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, ref MemoryMarshal.GetReference(stat)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == Enoent ? null : throw new IOException($"{path}: cannot be examined: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        return BinaryPrimitives.ReadUInt16LittleEndian(stat[28..]);
    }

    /// <summary>Reads the whole file (at most <paramref name="maxBytes"/>) from the opened descriptor.</summary>
    public byte[] Read(int maxBytes)
    {
        var buffer = new byte[maxBytes + 1];
        var total = 0;
        int n;
        while (total < buffer.Length && (n = RandomAccess.Read(_handle, buffer.AsSpan(total), total)) > 0)
        {
            total += n;
        }

        return total > maxBytes ? throw new InvalidDataException($"longer than {maxBytes} bytes") : buffer[..total];
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    // O_NOFOLLOW is 0400000 on x86 and x64, 0100000 on arm and arm64 (asm-generic vs arch headers).
    private static int NoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x8000 : 0x20000;

    private static nint OpenNative(string path, int flags) => Open(path, flags);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
