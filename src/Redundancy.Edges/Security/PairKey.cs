using System.Text;

namespace Redundancy.Edges.Security;

/// <summary>Reads the pair's pre-shared key from its file, refusing a file others may read or replace.</summary>
public static class PairKey
{
    /// <summary>
    /// Loads the key: the file holds the key as hex (at least 32 hex digits, i.e. 16 bytes; make one with
    /// <c>openssl rand -hex 32</c>) or base64. Throws <see cref="InvalidDataException"/> naming the file and the
    /// problem when it is missing, a symbolic link, not a regular file, owned by another user than the agent's or
    /// root, readable or writable by everyone, writable by its group, or not a key. Group read (0640) is allowed.
    /// </summary>
    public static byte[] Load(string path)
    {
        // Opened once, without following a symbolic link; owner and mode checked on the opened descriptor and the key
        // read from it: nothing can be swapped between the check and the read.
        using var file = OpenedFile.Open(path, "pairKeyFile");
        var mode = file.Mode & 0x1FF;
        var octal = Convert.ToString(mode, 8);
        if (!file.IsRegular)
        {
            throw new InvalidDataException($"pairKeyFile {path}: is not a regular file");
        }

        if (file.Owner != OpenedFile.EffectiveUser && file.Owner != 0)
        {
            throw new InvalidDataException($"pairKeyFile {path}: owned by uid {file.Owner}, neither this agent's user (uid {OpenedFile.EffectiveUser}) nor root; run chown to the agent's user");
        }

        if ((mode & 0x6) != 0) // other read or write
        {
            throw new InvalidDataException($"pairKeyFile {path}: readable or writable by everyone (mode {octal}); run chmod 600 {path}");
        }

        if ((mode & 0x10) != 0) // group write
        {
            throw new InvalidDataException($"pairKeyFile {path}: writable by its group (mode {octal}): anyone in it could replace the key; run chmod 600 {path} (or 640 for a service group)");
        }

        string text;
        try
        {
            text = Encoding.ASCII.GetString(file.Read(4096)).Trim();
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"pairKeyFile {path}: {ex.Message}, not a key");
        }

        var key = TryHex(text) ?? TryBase64(text);
        if (key is null)
        {
            throw new InvalidDataException($"pairKeyFile {path}: must hold the key as hex or base64 (for example from 'openssl rand -hex 32')");
        }

        if (key.Length < 16)
        {
            throw new InvalidDataException($"pairKeyFile {path}: key is {key.Length} bytes, at least 16 are required (32 recommended)");
        }

        return key;
    }

    private static byte[]? TryHex(string text)
    {
        if (text.Length % 2 != 0 || text.Length == 0)
        {
            return null;
        }

        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static byte[]? TryBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var n) && n > 0 ? buffer[..n] : null;
    }
}
