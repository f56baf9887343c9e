using System.Text;

namespace Redundancy.Edges.Storage;

/// <summary>
/// Checks a LiteDB file before LiteDB touches it. LiteDB reports corruption inconsistently and silently replaces
/// a file shorter than 8 KiB with an empty database, which would lose the control state; so the agent looks first
/// and refuses, naming the file and the problem, and never writes to a file it refused.
/// </summary>
public static class DatabaseFileCheck
{
    /// <summary>LiteDB's page size: every valid file is a whole number of pages.</summary>
    public const int PageSize = 8192;

    private static readonly byte[] Signature = Encoding.ASCII.GetBytes("** This is a LiteDB file **");
    private const int SignatureOffset = 32;
    private const byte FileVersion = 8;

    /// <summary>Returns null when the file looks like a LiteDB v5 database, else what is wrong with it.</summary>
    public static string? Problem(string path)
    {
        long length;
        byte[] header = new byte[PageSize];
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            length = stream.Length;
            if (length < PageSize)
            {
                return $"is {length} bytes, shorter than one LiteDB page ({PageSize} bytes): truncated or not a database";
            }

            stream.ReadExactly(header);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"cannot be read: {ex.Message}";
        }

        if (!header.AsSpan(SignatureOffset, Signature.Length).SequenceEqual(Signature))
        {
            return "is not a LiteDB database (bad header)";
        }

        if (header[SignatureOffset + Signature.Length] != FileVersion)
        {
            return $"is a LiteDB file of version {header[SignatureOffset + Signature.Length]}, not {FileVersion}";
        }

        if (length % PageSize != 0)
        {
            return $"is {length} bytes, not a whole number of {PageSize}-byte pages: truncated";
        }

        return null;
    }
}
