using System.Buffers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Protocol;

namespace Redundancy.Edges.Mqtt;

/// <summary>How to connect: the broker, who we are, and the Last Will the broker publishes when we vanish.</summary>
/// <param name="Host">The broker's host name or address.</param>
/// <param name="Port">The broker's port.</param>
/// <param name="ClientId">The client id.</param>
/// <param name="Username">The user name, or null.</param>
/// <param name="Password">The password, or null.</param>
/// <param name="WillTopic">The Last Will's topic.</param>
/// <param name="WillPayload">The Last Will's payload.</param>
/// <param name="WillRetain">Whether the broker keeps the Will as the topic's retained message.</param>
/// <param name="KeepAlive">The keepalive the broker judges us by (it fires the Will after 1.5 of them).</param>
/// <param name="Tls">TLS to the broker; null: plain TCP.</param>
public sealed record MqttConnectSpec(string Host, int Port, string ClientId, string? Username, string? Password, string WillTopic, byte[] WillPayload, bool WillRetain, TimeSpan KeepAlive, MqttTls? Tls = null);

/// <summary>TLS material, loaded once at start (<see cref="Load"/>).</summary>
/// <param name="Trust">The CA the broker's certificate must chain to; null: the system's trust store.</param>
/// <param name="Client">This node's client certificate with its key, or null.</param>
public sealed record MqttTls(X509Certificate2Collection? Trust, X509Certificate2? Client)
{
    /// <summary>Reads the PEM files; the error names the file and what is wrong with it.</summary>
    /// <exception cref="InvalidDataException">A file is missing, unreadable or not what it should be.</exception>
    public static MqttTls Load(string? caFile, string? certFile, string? keyFile)
    {
        X509Certificate2Collection? trust = null;
        if (caFile is not null)
        {
            trust = [];
            try
            {
                trust.ImportFromPemFile(caFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
            {
                throw new InvalidDataException($"mqtt.tls.caFile {caFile}: {ex.Message}", ex);
            }

            if (trust.Count == 0)
            {
                throw new InvalidDataException($"mqtt.tls.caFile {caFile}: holds no PEM certificate");
            }
        }

        X509Certificate2? client = null;
        if (certFile is not null && keyFile is not null)
        {
            try
            {
                client = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                throw new InvalidDataException($"mqtt.tls.certFile {certFile} with keyFile {keyFile}: {ex.Message}", ex);
            }
        }

        return new MqttTls(trust, client);
    }
}

/// <summary>A broker refused us or could not be reached; the message says which and why, for the operator.</summary>
public sealed class MqttConnectException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One MQTT connection to a broker (MQTT 5, MQTTnet): connect with a Last Will, publish, subscribe, receive. The one
/// real implementation of the agent's MQTT edge. MQTTnet 5 has no managed client: reconnecting is the caller's loop.
/// Every call takes a cancellation token; the caller bounds each one.
/// </summary>
public sealed class MqttBrokerConnection : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    public MqttBrokerConnection()
    {
        _client.ApplicationMessageReceivedAsync += async e =>
        {
            if (Received is { } handler)
            {
                var payload = e.ApplicationMessage.Payload;
                await handler(e.ApplicationMessage.Topic, payload.IsSingleSegment ? payload.First : payload.ToArray()).ConfigureAwait(false);
            }
        };
    }

    /// <summary>A message arrived on a subscribed topic (topic, payload).</summary>
    public event Func<string, ReadOnlyMemory<byte>, Task>? Received;

    /// <summary>Whether the connection is up as the client last knew it.</summary>
    public bool IsConnected => _client.IsConnected;

    /// <summary>Connects (clean start) with the Will of <paramref name="spec"/>.</summary>
    /// <exception cref="MqttConnectException">Refused (bad credentials, not authorised, ...) or unreachable.</exception>
    public async Task ConnectAsync(MqttConnectSpec spec, CancellationToken cancellationToken)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(spec.Host, spec.Port)
            .WithClientId(spec.ClientId)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(spec.KeepAlive)
            .WithTimeout(TimeSpan.FromSeconds(5))
            .WithWillTopic(spec.WillTopic)
            .WithWillPayload(spec.WillPayload)
            .WithWillRetain(spec.WillRetain)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (spec.Username is not null)
        {
            builder = builder.WithCredentials(spec.Username, spec.Password ?? string.Empty);
        }

        string? tlsProblem = null;
        if (spec.Tls is { } tls)
        {
            var tlsOptions = new MqttClientTlsOptionsBuilder()
                .UseTls(true)
                .WithTargetHost(spec.Host)
                .WithCertificateValidationHandler(e => (tlsProblem = Validate(e.Certificate, e.SslPolicyErrors, tls.Trust, spec.Host)) is null);
            if (tls.Client is { } client)
            {
                tlsOptions = tlsOptions.WithClientCertificates([client]);
            }

            builder = builder.WithTlsOptions(tlsOptions.Build());
        }

        MqttClientConnectResult result;
        try
        {
            result = await _client.ConnectAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException ex)
        {
            throw new MqttConnectException($"broker {spec.Host}:{spec.Port} refused the connection: {Describe(ex.Message)}", ex);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or System.Net.Sockets.SocketException or IOException or TimeoutException
                                       or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new MqttConnectException(tlsProblem is not null
                ? $"broker {spec.Host}:{spec.Port} refused by TLS: {tlsProblem}"
                : $"broker {spec.Host}:{spec.Port} cannot be reached: {ex.GetBaseException().Message}", ex);
        }

        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new MqttConnectException($"broker {spec.Host}:{spec.Port} refused the connection: {Describe(result.ResultCode)}");
        }
    }

    /// <summary>Publishes one message: QoS 1 (the broker acknowledges it) unless <paramref name="atMostOnce"/> (QoS 0,
    /// as Sparkplug's NBIRTH and NDATA are).</summary>
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken, bool atMostOnce = false)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload.ToArray())
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(atMostOnce ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            throw new IOException($"the broker did not accept a message on {topic}: {result.ReasonCode} {result.ReasonString}");
        }
    }

    /// <summary>Subscribes to <paramref name="topic"/> (QoS 1).</summary>
    public async Task SubscribeAsync(string topic, CancellationToken cancellationToken) =>
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken).ConfigureAwait(false);

    /// <summary>A clean disconnect: the broker does not publish the Will.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Null when the broker's certificate is one to trust, else why not: it must name the host we connect to and
    /// chain to the configured CA (or, without one, to the system's trust store).</summary>
    private static string? Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection? trust, string host)
    {
        if (certificate is null)
        {
            return "the broker sent no certificate";
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return $"the broker's certificate does not name {host} (subject {certificate.Subject})";
        }

        if (trust is null)
        {
            return errors == SslPolicyErrors.None ? null : $"the broker's certificate is not trusted by this system ({errors}); set mqtt.tls.caFile";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var cert = new X509Certificate2(certificate);
        return chain.Build(cert)
            ? null
            : $"the broker's certificate (subject {certificate.Subject}, issuer {certificate.Issuer}) is not signed by mqtt.tls.caFile: {string.Join(", ", chain.ChainStatus.Select(c => c.StatusInformation.Trim()))}";
    }

    private static string Describe(string message) =>
        Enum.GetValues<MqttClientConnectResultCode>().FirstOrDefault(c => c != MqttClientConnectResultCode.Success && message.Contains(c.ToString(), StringComparison.Ordinal)) is var code
        && code != MqttClientConnectResultCode.Success ? Describe(code) : message;

    private static string Describe(MqttClientConnectResultCode code) => code switch
    {
        MqttClientConnectResultCode.BadUserNameOrPassword => "bad user name or password (mqtt.username, mqtt.passwordFile)",
        // mosquitto answers a wrong password with this code too, not with BadUserNameOrPassword.
        MqttClientConnectResultCode.NotAuthorized => "not authorised: a wrong password (mqtt.passwordFile) or user name (mqtt.username), or the broker's rules refuse this client",
        MqttClientConnectResultCode.ClientIdentifierNotValid => "client id not valid (mqtt.clientId)",
        MqttClientConnectResultCode.ServerUnavailable or MqttClientConnectResultCode.ServerBusy => "the broker is unavailable or busy",
        var other => other.ToString(),
    };
}
