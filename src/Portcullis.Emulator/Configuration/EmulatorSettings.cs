using System.Net;
using Portcullis.Emulator.Forwarding;

namespace Portcullis.Emulator.Configuration;

/// <summary>
/// <see cref="EmulatorOptions"/> after validation, in the form the running emulator reads:
/// parsed endpoints and networks, so the per-request path never parses configuration.
/// </summary>
internal sealed record EmulatorSettings(
    IReadOnlyList<IPEndPoint> HttpEndpoints,
    IReadOnlyList<IPEndPoint> HttpsEndpoints,
    TrustedProxyNetworks TrustedProxies,
    ClientIpMode ClientIpMode,
    string WebPath,
    string OutpostToken,
    TimeSpan HelloInterval,
    Uri OutpostExternalHost,
    Uri? AuthentikHostBrowser);
