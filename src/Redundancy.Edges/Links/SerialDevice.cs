using System.IO.Ports;
using System.Reflection;
using System.Runtime.InteropServices;
using Redundancy.Edges.Interop;

namespace Redundancy.Edges.Links;

/// <summary>
/// A serial device opened and configured (baud, 8N1, raw, exclusive) by System.IO.Ports, whose bytes are then
/// moved with direct poll/read/write calls on its descriptor. System.IO.Ports' own stream on Linux runs an I/O
/// loop that sleeps 1 ms between polls and allocates a request per read or write: measured here it added 1-3 ms
/// to every heartbeat and garbage to the hot path. Blocking poll wakes at once and allocates nothing.
/// </summary>
/// <remarks>Reads from one thread, writes from another, <see cref="Available"/> from a third: each is one
/// syscall on the descriptor, which the kernel serialises. Users other than the owner bracket their calls with
/// <see cref="TryEnter"/> and <see cref="Exit"/>, so the descriptor is closed only when nobody is inside.</remarks>
internal sealed unsafe partial class SerialDevice : IDisposable
{
    private const short PollIn = PollCalls.PollIn;
    private const short PollOut = PollCalls.PollOut;
    private const short PollErr = 0x8;
    private const short PollHup = 0x10;
    private const short PollNval = 0x20;
    private const uint FionRead = 0x541B;
    private const int EIntr = 4;
    private const int EAgain = 11;

    private readonly SerialPort _port;
    private readonly SafeHandle _handle;
    private readonly int _fd;
    private int _users = 1; // the owner
    private int _disposed;

    private SerialDevice(SerialPort port, SafeHandle handle)
    {
        _port = port;
        _handle = handle;
        _fd = (int)handle.DangerousGetHandle();
    }

    /// <summary>Opens and configures <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The device cannot be opened.</exception>
    public static SerialDevice Open(string path, int baud)
    {
        var port = new SerialPort(path, baud, Parity.None, 8, StopBits.One) { Handshake = Handshake.None };
        try
        {
            port.Open();
            port.DiscardInBuffer(); // bytes from before we listened belong to no frame we can trust
            var handle = DescriptorOf(port);
            var added = false;
            handle.DangerousAddRef(ref added);
            return new SerialDevice(port, handle);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            port.Dispose();
            throw new IOException(ex.Message, ex);
        }
        catch (IOException)
        {
            port.Dispose();
            throw;
        }
    }

    /// <summary>Bytes the kernel holds for reading.</summary>
    public int Available
    {
        get
        {
            int n;
            return Ioctl(_fd, FionRead, &n) == 0 ? n : 0;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for input and reads it. Returns the byte count, 0 on timeout.
    /// </summary>
    /// <exception cref="IOException">The line hung up (cable pulled, device gone) or failed.</exception>
    public int Read(Span<byte> buffer, int timeoutMs)
    {
        var events = Wait(PollIn, timeoutMs);
        if (events == 0)
        {
            return 0;
        }

        if ((events & PollIn) == 0)
        {
            throw new IOException($"serial line hung up (poll events 0x{events:x})");
        }

        nint n;
        fixed (byte* p = buffer)
        {
            n = NativeRead(_fd, p, buffer.Length);
        }

        if (n > 0)
        {
            return (int)n;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (n < 0 && errno is EIntr or EAgain)
        {
            return 0;
        }

        throw new IOException(n == 0 ? "serial line closed" : $"serial read failed (errno {errno})");
    }

    /// <summary>Writes all of <paramref name="data"/>, waiting at most <paramref name="timeoutMs"/> for room each
    /// time; false when the line took no bytes in that time (the peer is not reading).</summary>
    /// <exception cref="IOException">The line hung up or failed.</exception>
    public bool Write(ReadOnlySpan<byte> data, int timeoutMs)
    {
        while (!data.IsEmpty)
        {
            var events = Wait(PollOut, timeoutMs);
            if (events == 0)
            {
                return false; // no exception: a peer that stopped reading makes this happen every frame
            }

            if ((events & PollOut) == 0)
            {
                throw new IOException($"serial line hung up (poll events 0x{events:x})");
            }

            nint n;
            fixed (byte* p = data)
            {
                n = NativeWrite(_fd, p, data.Length);
            }

            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno is EIntr or EAgain)
                {
                    continue;
                }

                throw new IOException($"serial write failed (errno {errno})");
            }

            data = data[(int)n..];
        }

        return true;
    }

    /// <summary>Enters a call on the device; false when it is already closed.</summary>
    public bool TryEnter()
    {
        while (true)
        {
            var users = Volatile.Read(ref _users);
            if (users == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _users, users + 1, users) == users)
            {
                return true;
            }
        }
    }

    /// <summary>Leaves a call entered with <see cref="TryEnter"/>.</summary>
    public void Exit()
    {
        if (Interlocked.Decrement(ref _users) == 0)
        {
            CloseNow();
        }
    }

    /// <summary>Closes the device once no call is inside it. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Exit();
        }
    }

    private void CloseNow()
    {
        _handle.DangerousRelease();
        try
        {
            _port.Dispose();
        }
        catch (IOException)
        {
            // the device is already gone
        }
    }

    private short Wait(short events, int timeoutMs)
    {
        var fds = new PollCalls.PollFd { Fd = _fd, Events = events };
        var r = PollCalls.Poll(&fds, 1, timeoutMs);
        if (r < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == EIntr ? (short)0 : throw new IOException($"serial poll failed (errno {errno})");
        }

        if (r > 0 && (fds.Revents & (PollErr | PollHup | PollNval)) != 0 && (fds.Revents & events) == 0)
        {
            return fds.Revents;
        }

        return r == 0 ? (short)0 : fds.Revents;
    }

    private static SafeHandle DescriptorOf(SerialPort port)
    {
        // The descriptor System.IO.Ports opened (O_NOCTTY, exclusive) and configured. Pinned package version;
        // the serial link tests fail loudly if a new version moves it.
        var stream = port.BaseStream;
        var field = stream.GetType().GetField("_handle", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("System.IO.Ports: serial stream has no _handle field (package version changed?)");
        return field.GetValue(stream) as SafeHandle
            ?? throw new InvalidOperationException("System.IO.Ports: serial stream handle is not a SafeHandle");
    }

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint NativeRead(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint NativeWrite(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, int* value);
}
