using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Portcullis.Emulator.Configuration;
using Portcullis.Emulator.Hosting;

namespace Portcullis.Emulator.IndexPage;

/// <summary>Serves <see cref="IndexPageHtml"/> at the web path, rendered once at start.</summary>
internal sealed class IndexPageEndpoint
{
    private readonly string _html;

    public IndexPageEndpoint(EmulatorSettings settings)
    {
        // JSON-encode so the web path cannot break out of the script's string literal.
        _html = IndexPageHtml.Template.Replace(IndexPageHtml.WebPathPlaceholder, JsonSerializer.Serialize(settings.WebPath, EmulatorJsonContext.Default.String), StringComparison.Ordinal);
    }

    public Task HandleAsync(HttpContext context)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(_html, context.RequestAborted);
    }
}
