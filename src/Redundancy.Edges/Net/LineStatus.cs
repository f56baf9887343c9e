namespace Redundancy.Edges.Net;

/// <summary>What <see cref="BoundedLineReader.ReadLineAsync"/> found.</summary>
public enum LineStatus
{
    /// <summary>A whole line within the limit.</summary>
    Line,

    /// <summary>A line over the limit, refused unread; the reader skips to its end.</summary>
    TooLong,

    /// <summary>The stream ended.</summary>
    End,
}
