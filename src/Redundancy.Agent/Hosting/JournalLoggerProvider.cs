using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Redundancy.Agent.Hosting;

/// <summary>
/// <c>--log-format journal</c>: every log line goes to journald's native socket as one datagram with fields, so the
/// journal can be searched by them: <c>PRIORITY</c> (from the level), <c>MESSAGE</c>, <c>SYSLOG_IDENTIFIER</c>,
/// <c>EVENT_ID</c>, <c>CATEGORY</c>, and every named value of the message in capitals (<c>NODE</c>, <c>FROM</c>,
/// <c>TO</c>, <c>EPOCH</c>, <c>REASON</c>, <c>ALARM</c> ...): <c>journalctl -u redundancy-agent TO=Active</c>.
/// The caller only formats and queues (bounded, 10 000; a full queue drops the line and counts it, as the console
/// logger does); one thread of its own sends, on a non-blocking socket. Thread-safe.
/// </summary>
internal sealed class JournalLoggerProvider : ILoggerProvider
{
    /// <summary>Where journald listens for native messages.</summary>
    public const string DefaultSocket = "/run/systemd/journal/socket";

    private readonly Channel<byte[]> _queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly UnixDomainSocketEndPoint _journal;
    private readonly Thread _writer;
    private long _dropped;
    private long _failed;

    public JournalLoggerProvider(string socketPath = DefaultSocket, string identifier = "redundancy-agent")
    {
        _journal = new UnixDomainSocketEndPoint(socketPath);
        Identifier = identifier;
        _socket.Blocking = false;
        _socket.SendBufferSize = 1 << 20; // one datagram per line: room for a burst while journald is busy
        _writer = new Thread(Write) { IsBackground = true, Name = "journal" };
        _writer.Start();
    }

    /// <summary>SYSLOG_IDENTIFIER of every entry.</summary>
    public string Identifier { get; }

    /// <summary>Lines dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Lines journald did not take (no socket, its buffer full).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Whether <paramref name="socketPath"/> is there to log to.</summary>
    public static bool Available(string socketPath = DefaultSocket) => File.Exists(socketPath);

    public ILogger CreateLogger(string categoryName) => new JournalLogger(this, categoryName);

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _writer.Join(TimeSpan.FromSeconds(2));
        _socket.Dispose();
    }

    internal void Enqueue(byte[] entry)
    {
        if (!_queue.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private void Write()
    {
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var entry))
            {
                try
                {
                    _socket.SendTo(entry, SocketFlags.None, _journal);
                }
                catch (SocketException)
                {
                    Interlocked.Increment(ref _failed);
                }
            }
        }
    }

    private sealed class JournalLogger(JournalLoggerProvider provider, string category) : ILogger
    {
        private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
        {
            "MESSAGE", "MESSAGE_ID", "PRIORITY", "ERRNO", "DOCUMENTATION", "TID", "UNIT", "USER_UNIT", "INVOCATION_ID",
            "EVENT_ID", "CATEGORY",
        };

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            var entry = new JournalEntry();
            entry.Add("MESSAGE", exception is null ? message : $"{message}\n{exception}");
            entry.Add("PRIORITY", Priority(logLevel));
            entry.Add("SYSLOG_IDENTIFIER", provider.Identifier);
            entry.Add("CATEGORY", category);
            if (eventId.Id != 0)
            {
                entry.Add("EVENT_ID", eventId.Id.ToString(CultureInfo.InvariantCulture));
            }

            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    if (key != "{OriginalFormat}" && FieldName(key) is { } name && value is not null)
                    {
                        entry.Add(name, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
                    }
                }
            }

            provider.Enqueue(entry.ToArray());
        }

        // syslog(3) levels, as journald's PRIORITY= takes them.
        private static string Priority(LogLevel level) => level switch
        {
            LogLevel.Critical => "2",
            LogLevel.Error => "3",
            LogLevel.Warning => "4",
            LogLevel.Information => "6",
            _ => "7",
        };

        /// <summary>A journal field name: capitals, digits and '_', not starting with '_' or a digit (those are
        /// journald's own or invalid); null when nothing is left. A name journald or this logger gives a meaning
        /// (the node's {Priority} is not the entry's PRIORITY) gets the prefix REDUNDANCY_.</summary>
        private static string? FieldName(string key)
        {
            var name = new StringBuilder(key.Length);
            foreach (var c in key)
            {
                name.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
            }

            var s = name.ToString().TrimStart('_');
            if (s.Length == 0 || char.IsAsciiDigit(s[0]))
            {
                return null;
            }

            return Reserved.Contains(s) || s.StartsWith("SYSLOG_", StringComparison.Ordinal) || s.StartsWith("CODE_", StringComparison.Ordinal)
                ? "REDUNDANCY_" + s
                : s;
        }
    }

    /// <summary>journald's native format: <c>KEY=value\n</c>, or for a value with a newline <c>KEY\n</c>, its length
    /// as 64-bit little-endian, the value, <c>\n</c>.</summary>
    private sealed class JournalEntry
    {
        private readonly MemoryStream _bytes = new();

        public void Add(string key, string value)
        {
            var k = Encoding.UTF8.GetBytes(key);
            var v = Encoding.UTF8.GetBytes(value);
            _bytes.Write(k);
            if (value.Contains('\n', StringComparison.Ordinal))
            {
                _bytes.WriteByte((byte)'\n');
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)v.Length);
                _bytes.Write(length);
            }
            else
            {
                _bytes.WriteByte((byte)'=');
            }

            _bytes.Write(v);
            _bytes.WriteByte((byte)'\n');
        }

        public byte[] ToArray() => _bytes.ToArray();
    }
}
