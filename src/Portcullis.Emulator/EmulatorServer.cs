using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Portcullis.Emulator.Certificates;
using Portcullis.Emulator.Configuration;
using Portcullis.Emulator.Hosting;
using Portcullis.Emulator.Outpost;
using Portcullis.Emulator.WebSockets;

namespace Portcullis.Emulator;

/// <summary>
/// A running authentik emulator: an upstream that answers a reverse proxy the way authentik
/// does (forwarded-header trust, CSRF origin check, WebSockets, web path, default certificate),
/// so a proxy configuration can be checked without a real authentik.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ReceivedCloseLog _closeLog;
    private readonly SemaphoreSlim _stopLock = new(1, 1);
    private bool _stopped;
    private bool _disposed;

    private EmulatorServer(WebApplication app, ReceivedCloseLog closeLog, X509Certificate2 certificate, IReadOnlyList<Uri> httpUrls, IReadOnlyList<Uri> httpsUrls)
    {
        _app = app;
        _closeLog = closeLog;
        Certificate = certificate;
        HttpUrls = httpUrls;
        HttpsUrls = httpsUrls;
    }

    /// <summary>The bound plain-HTTP addresses, port 0 resolved to the real port.</summary>
    public IReadOnlyList<Uri> HttpUrls { get; }

    /// <summary>The bound HTTPS addresses, port 0 resolved to the real port.</summary>
    public IReadOnlyList<Uri> HttpsUrls { get; }

    /// <summary>The self-signed certificate generated at start, like authentik's default certificate.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The emulated outpost's cookie name, <c>authentik_proxy_&lt;8 hex&gt;</c> (its client ID is generated at start).</summary>
    public string OutpostCookieName => _app.Services.GetRequiredService<OutpostProvider>().CookieName;

    /// <summary>Close codes received from WebSocket clients so far, in arrival order (1005 for a close without a code).</summary>
    public IReadOnlyList<int> ReceivedCloseCodes => _closeLog.Snapshot();

    /// <summary>Validates <paramref name="options"/>, generates the certificate and starts listening.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public static async Task<EmulatorServer> StartAsync(EmulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = EmulatorOptionsValidator.Validate(options, out var settings);
        if (settings is null)
        {
            throw new ArgumentException("Invalid emulator options:" + string.Concat(errors.Select(e => Environment.NewLine + "  - " + e)), nameof(options));
        }

        var certificate = DefaultCertificateGenerator.Create(TimeProvider.System);
        var closeLog = new ReceivedCloseLog();
        var app = EmulatorApplication.Build(settings, certificate, closeLog);
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            certificate.Dispose();
            throw;
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Select(address => new Uri(address))
            .ToList();
        return new EmulatorServer(
            app,
            closeLog,
            certificate,
            addresses.Where(uri => uri.Scheme == Uri.UriSchemeHttp).ToList(),
            addresses.Where(uri => uri.Scheme == Uri.UriSchemeHttps).ToList());
    }

    /// <summary>Stops listening; open WebSockets are closed with 1012 (service restart). Safe to call twice.</summary>
    public async Task StopAsync()
    {
        await _stopLock.WaitAsync();
        try
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            await _app.StopAsync();
        }
        finally
        {
            _stopLock.Release();
        }
    }

    /// <summary>Stops the emulator and releases its certificate.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await StopAsync();
        _disposed = true;
        await _app.DisposeAsync();
        Certificate.Dispose();
    }
}
