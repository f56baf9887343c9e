using System.Net;

namespace Redundancy.Core.Configuration;

// The rule checks of AgentConfig: each failure names the field, the rule and the value it got.
public static partial class AgentConfig
{
    private sealed class Validator
    {
        public List<string> Errors { get; } = [];

        public void Fail(string field, string rule, object? got) => Errors.Add($"{field}: {rule} (got {got ?? "nothing"})");

        public T Fail<T>(string field, string rule, object? got, T fallback)
        {
            Fail(field, rule, got);
            return fallback;
        }

        public void Check(string field, bool ok, string rule, object? got)
        {
            if (!ok)
            {
                Fail(field, rule, got);
            }
        }

        public long Range(string field, long? value, long min, long max, bool required = false, long fallback = 0)
        {
            if (value is null)
            {
                if (required)
                {
                    Fail(field, $"is required, a whole number from {min} to {max}", "missing");
                }

                return fallback;
            }

            Check(field, value >= min && value <= max, $"must be from {min} to {max}", value);
            return value.Value;
        }

        public string Text(string field, string? value)
        {
            Check(field, !string.IsNullOrWhiteSpace(value), "is required and must not be empty", value is null ? "missing" : $"\"{value}\"");
            return value ?? string.Empty;
        }

        public long Pin(string field, long? value, Dictionary<long, string> used)
        {
            var pin = Range(field, value, 0, 1023, required: true);
            if (value is not null && !used.TryAdd(pin, field))
            {
                Fail(field, $"pin {pin} is already used by {used[pin]}", pin);
            }

            return pin;
        }

        /// <summary>Refuses a peer address that is this node's own bind (the node would hear or dial itself).</summary>
        public void NotSelf(string peerField, IPEndPoint? peer, string bindField, IPEndPoint? bind)
        {
            if (peer is null || bind is null || peer.Port != bind.Port)
            {
                return;
            }

            var self = peer.Address.Equals(bind.Address)
                || ((bind.Address.Equals(IPAddress.Any) || bind.Address.Equals(IPAddress.IPv6Any)) && IPAddress.IsLoopback(peer.Address));
            Check(peerField, !self, $"must be the other node's address, not this node's own {bindField} ({bind})", peer);
        }

        public IPEndPoint? Endpoint(string field, string? value, bool allowPortZero)
        {
            var text = Text(field, value);
            if (text.Length == 0)
            {
                return null;
            }

            if (!IPEndPoint.TryParse(text, out var ep) || !text.Contains(':', StringComparison.Ordinal) || (!allowPortZero && ep.Port == 0))
            {
                Fail(field, "must be an IP address and port, like \"192.168.10.2:5405\"", $"\"{text}\"");
                return null;
            }

            return ep;
        }
    }
}
