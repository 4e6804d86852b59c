using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>Where and how an <see cref="AcmeIssuer"/> gets certificates.</summary>
public sealed record AcmeIssuerOptions
{
    /// <summary>
    /// The CA's directory URL. Required, with no default here: the configuration layer defaults
    /// it to <see cref="Configuration.AcmeDirectories.LetsEncryptProduction"/>, tests to a local pebble.
    /// </summary>
    public required Uri DirectoryUrl { get; init; }

    /// <summary>data_dir: account key, certificates, lock and shared challenges go below it.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The client for the CA (its handler decides which CA certificates are trusted).</summary>
    public required HttpClient HttpClient { get; init; }

    public AcmeClientOptions Client { get; init; } = new();

    /// <summary>The wait after a first failure; it doubles with every further one up to <see cref="FailureBackoffCap"/>.</summary>
    public TimeSpan FailureBackoffInitial { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The longest wait between two failed attempts; a Retry-After from the CA (rateLimited) can
    /// make one longer. Let's Encrypt allows 5 failed validations per host and hour.
    /// </summary>
    public TimeSpan FailureBackoffCap { get; init; } = TimeSpan.FromHours(6);

    /// <summary>How long to wait for another instance's order before giving up this attempt.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>How often renewal information (RFC 9773) is fetched when the CA sends no Retry-After.</summary>
    public TimeSpan RenewalInfoInterval { get; init; } = TimeSpan.FromHours(6);

    public ILogger Logger { get; init; } = NullLogger.Instance;

    internal TimeProvider TimeProvider => Client.TimeProvider;
}
