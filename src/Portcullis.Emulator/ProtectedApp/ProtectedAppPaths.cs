namespace Portcullis.Emulator.ProtectedApp;

/// <summary>
/// Where the emulator plays the application behind forward auth, under the web path. The
/// emulated provider allowlists <see cref="Public"/> (its skip_path_regex), and its outpost
/// acts unreachable for <see cref="OutpostDown"/>, so a checker can see what a proxy does when
/// the outpost is down without stopping it.
/// </summary>
internal static class ProtectedAppPaths
{
    /// <summary>The report of what arrived: any path below it answers the same.</summary>
    public static string Root(string webPath) => webPath + "api/v3/emulator/app/";

    /// <summary>The public part: the outpost answers 200 without identity headers.</summary>
    public static string Public(string webPath) => Root(webPath) + "public/";

    /// <summary>A forward URL below this path makes the outpost drop the connection unanswered.</summary>
    public static string OutpostDown(string webPath) => Root(webPath) + "outpost-down/";

    /// <summary>The app's WebSocket.</summary>
    public static string WebSocket(string webPath) => Root(webPath) + "ws/";
}
