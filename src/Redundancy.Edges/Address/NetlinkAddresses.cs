using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using Redundancy.Edges.Interop;

namespace Redundancy.Edges.Address;

/// <summary>
/// Adds and removes an IPv4 address on an interface with one rtnetlink request each (RTM_NEWADDR / RTM_DELADDR over
/// an AF_NETLINK socket, answered by the kernel's ack), bounded by the caller's token: no process is started, so
/// nothing forks the agent's large address space and an error comes back as the kernel's errno. Needs CAP_NET_ADMIN.
/// Each call opens its own socket; safe from any thread.
/// </summary>
public static partial class NetlinkAddresses
{
    private const ushort RtmNewAddr = 20;
    private const ushort RtmDelAddr = 21;
    private const ushort NlmsgError = 2;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFAck = 0x4;
    private const ushort NlmFExcl = 0x200;
    private const ushort NlmFCreate = 0x400;
    private const ushort IfaAddress = 1;
    private const ushort IfaLocal = 2;
    private const int Eexist = 17;
    private const int Eaddrnotavail = 99;
    private static int _sequence;

    /// <summary>Adds <paramref name="address"/>/<paramref name="prefix"/> to interface <paramref name="index"/>; false
    /// when it was there already. Throws <see cref="IOException"/> with the kernel's error.</summary>
    public static async Task<bool> AddAsync(int index, IPAddress address, int prefix, CancellationToken cancellationToken)
    {
        var error = await RequestAsync(RtmNewAddr, (ushort)(NlmFRequest | NlmFAck | NlmFCreate | NlmFExcl), index, address, prefix, cancellationToken).ConfigureAwait(false);
        return error switch
        {
            0 => true,
            Eexist => false,
            _ => throw Failure("add", address, prefix, error),
        };
    }

    /// <summary>Removes <paramref name="address"/>/<paramref name="prefix"/> from interface <paramref name="index"/>; false
    /// when it was not there (not an error). Throws <see cref="IOException"/> with the kernel's error.</summary>
    public static async Task<bool> RemoveAsync(int index, IPAddress address, int prefix, CancellationToken cancellationToken)
    {
        var error = await RequestAsync(RtmDelAddr, (ushort)(NlmFRequest | NlmFAck), index, address, prefix, cancellationToken).ConfigureAwait(false);
        return error switch
        {
            0 => true,
            Eaddrnotavail => false,
            _ => throw Failure("remove", address, prefix, error),
        };
    }

    private static IOException Failure(string what, IPAddress address, int prefix, int errno) => new(errno switch
    {
        1 => $"{what} {address}/{prefix}: operation not permitted (the agent needs CAP_NET_ADMIN)",
        19 => $"{what} {address}/{prefix}: no such interface",
        _ => $"{what} {address}/{prefix}: netlink error {errno}",
    });

    /// <summary>Sends one request and returns the kernel's errno for it (0: done).</summary>
    private static async Task<int> RequestAsync(ushort type, ushort flags, int index, IPAddress address, int prefix, CancellationToken cancellationToken)
    {
        var seq = (uint)Interlocked.Increment(ref _sequence);
        var request = new byte[40];
        var b = request.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(b, 40); // nlmsghdr: len, type, flags, seq, pid (host order)
        BinaryPrimitives.WriteUInt16LittleEndian(b[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(b[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(b[8..], seq);
        b[16] = 2; // ifaddrmsg: family AF_INET, prefix length, flags, scope (universe), index
        b[17] = (byte)prefix;
        BinaryPrimitives.WriteInt32LittleEndian(b[20..], index);
        WriteAttribute(b[24..], IfaLocal, address);
        WriteAttribute(b[32..], IfaAddress, address);

        // .NET has no AddressFamily for netlink: the socket is the kernel's, through libc, and every wait is a poll with
        // what is left of the bound (the token's deadline is the caller's; this polls in slices to notice it).
        var fd = Socket(16, 3 | 0x80000, 0); // AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE
        if (fd < 0)
        {
            throw new IOException($"netlink socket: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (Send(fd, request, request.Length, 0) != request.Length) // unaddressed: to the kernel
            {
                throw new IOException($"netlink send: errno {Marshal.GetLastPInvokeError()}");
            }

            var reply = new byte[4096];
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var ready = PollCalls.PollOne(fd, PollCalls.PollIn, 20);
                if (ready == 0)
                {
                    await Task.Yield(); // give the pool its thread back between slices
                    continue;
                }

                var n = Recv(fd, reply, reply.Length, 0x40); // MSG_DONTWAIT
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is 4 or 11)
                    {
                        continue; // EINTR, EAGAIN
                    }

                    throw new IOException($"netlink receive: errno {errno}");
                }

                for (var at = 0; at + 20 <= n;)
                {
                    var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(at));
                    var replyType = BinaryPrimitives.ReadUInt16LittleEndian(reply.AsSpan(at + 4));
                    var replySeq = BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(at + 8));
                    if (replyType == NlmsgError && replySeq == seq)
                    {
                        return -BinaryPrimitives.ReadInt32LittleEndian(reply.AsSpan(at + 16));
                    }

                    if (length < 16)
                    {
                        break;
                    }

                    at += (length + 3) & ~3;
                }
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static void WriteAttribute(Span<byte> b, ushort type, IPAddress address)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(b, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(b[2..], type);
        address.TryWriteBytes(b[4..8], out _);
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint Send(int fd, byte[] buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Recv(int fd, byte[] buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
