using System.Text.Json.Serialization;
using Portcullis.Emulator.AdminSystem;
using Portcullis.Emulator.Csrf;
using Portcullis.Emulator.ProtectedApp;
using Portcullis.Emulator.WebSockets;

namespace Portcullis.Emulator.Hosting;

/// <summary>The types the emulator writes as JSON, for the source generator.</summary>
[JsonSerializable(typeof(SystemInfo))]
[JsonSerializable(typeof(CsrfEndpoint.CsrfToken))]
[JsonSerializable(typeof(CsrfEndpoint.CsrfFailure))]
[JsonSerializable(typeof(CsrfEndpoint.CsrfSuccess))]
[JsonSerializable(typeof(OutpostMessage))]
[JsonSerializable(typeof(ProtectedAppReport))]
[JsonSerializable(typeof(string))]
internal sealed partial class EmulatorJsonContext : JsonSerializerContext;
