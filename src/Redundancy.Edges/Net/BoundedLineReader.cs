using System.Buffers;
using System.Text;

namespace Redundancy.Edges.Net;

/// <summary>
/// Reads newline-terminated lines from a stream into one fixed buffer: a line longer than the limit is reported as
/// <see cref="LineStatus.TooLong"/> as soon as the limit is crossed, its rest is read and thrown away up to the next
/// newline (the reader resynchronises there), and nothing of it is kept. Memory stays at the limit whatever a client
/// sends. Not thread-safe: one reader per connection, one read at a time.
/// </summary>
public sealed class BoundedLineReader : IDisposable
{
    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _scanned;
    private bool _discarding;

    /// <summary>Reads from <paramref name="stream"/> lines of at most <paramref name="maxLineBytes"/> bytes (UTF-8,
    /// without the newline; a trailing carriage return is dropped).</summary>
    public BoundedLineReader(Stream stream, int maxLineBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 1);
        _stream = stream;
        _maxLineBytes = maxLineBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(maxLineBytes + 1);
    }

    /// <summary>
    /// The next line: <see cref="LineStatus.Line"/> with its text, <see cref="LineStatus.TooLong"/> (the text is
    /// null; the next call goes on after that line's newline), or <see cref="LineStatus.End"/> when the stream ends
    /// (a last line without newline is still returned first).
    /// </summary>
    public async ValueTask<(LineStatus Status, string? Line)> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _scanned, _end - _scanned);
            if (newline >= 0)
            {
                var from = _start;
                _start = _scanned = newline + 1;
                if (_discarding)
                {
                    _discarding = false;
                    continue;
                }

                var length = newline - from;
                if (length > _maxLineBytes)
                {
                    return (LineStatus.TooLong, null);
                }

                if (length > 0 && _buffer[newline - 1] == (byte)'\r')
                {
                    length--;
                }

                return (LineStatus.Line, Encoding.UTF8.GetString(_buffer, from, length));
            }

            _scanned = _end;
            if (_discarding)
            {
                _start = _end = _scanned = 0; // the line's bytes so far are thrown away
            }
            else if (_end - _start > _maxLineBytes)
            {
                _discarding = true;
                _start = _end = _scanned = 0;
                return (LineStatus.TooLong, null);
            }

            if (_end == _buffer.Length)
            {
                // Room at the end only by moving the partial line to the front (it is at most the limit long).
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _scanned = _end;
                _start = 0;
            }

            var n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                if (_discarding || _end == _start)
                {
                    return (LineStatus.End, null);
                }

                var last = Encoding.UTF8.GetString(_buffer, _start, _end - _start);
                _start = _end = _scanned = 0;
                return (LineStatus.Line, last);
            }

            _end += n;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
