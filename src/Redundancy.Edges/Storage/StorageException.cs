namespace Redundancy.Edges.Storage;

/// <summary>Persistent state cannot be read or written. The message names the file and the problem.</summary>
public sealed class StorageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public StorageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
