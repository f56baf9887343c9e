using System.Text;

namespace Redundancy.Edges.Security;

/// <summary>Reads the pair's pre-shared key from its file, refusing a file anyone may read.</summary>
public static class PairKey
{
    /// <summary>
    /// Loads the key: the file holds the key as hex (at least 32 hex digits, i.e. 16 bytes; make one with
    /// <c>openssl rand -hex 32</c>) or base64. Throws <see cref="InvalidDataException"/> naming the file and the
    /// problem when it is missing, world-readable, or not a key.
    /// </summary>
    public static byte[] Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"pairKeyFile {path}: file not found");
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                throw new InvalidDataException($"pairKeyFile {path}: readable or writable by everyone (mode {Convert.ToString((int)mode, 8)}); run chmod 600 {path}");
            }
        }

        var text = File.ReadAllText(path, Encoding.ASCII).Trim();
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
