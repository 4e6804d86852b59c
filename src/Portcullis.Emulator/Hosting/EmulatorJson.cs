using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Portcullis.Emulator.Hosting;

/// <summary>JSON the way authentik's Django REST framework writes it: snake_case keys.</summary>
internal static class EmulatorJson
{
    /// <summary>Source-generated metadata (no reflection: the emulator runs in a Native AOT build).</summary>
    public static readonly EmulatorJsonContext Context = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Keep header values and CSRF messages byte-for-byte readable ("<", "+", "'" unescaped):
        // users compare them with what their proxy sent.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    });

    public static Task WriteAsync<T>(HttpContext context, int statusCode, T value, JsonTypeInfo<T> typeInfo)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(JsonSerializer.Serialize(value, typeInfo), context.RequestAborted);
    }
}
