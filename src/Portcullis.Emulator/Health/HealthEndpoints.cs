using Microsoft.AspNetCore.Http;

namespace Portcullis.Emulator.Health;

/// <summary>
/// authentik's <c>-/health/live/</c> and <c>-/health/ready/</c>. The real ready check answers
/// 503 while its database or Redis is down; the emulator has neither, so it is always ready.
/// </summary>
internal static class HealthEndpoints
{
    public static Task LiveAsync(HttpContext context) => WriteAsync(context);

    public static Task ReadyAsync(HttpContext context) => WriteAsync(context);

    private static Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.Headers.CacheControl = "no-store";
        return Task.CompletedTask;
    }
}
