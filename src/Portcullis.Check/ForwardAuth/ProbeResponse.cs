namespace Portcullis.Check.ForwardAuth;

/// <summary>One answer as a browser sees it.</summary>
/// <param name="Status">The HTTP status; 0 when there was no answer.</param>
/// <param name="Url">The URL requested.</param>
/// <param name="Location">Location resolved against <paramref name="Url"/>, or null.</param>
/// <param name="Body">The body (first 64 KiB), or the reason there was no answer.</param>
/// <param name="SetCookies">The Set-Cookie lines.</param>
internal sealed record ProbeResponse(int Status, Uri Url, Uri? Location, string Body, IReadOnlyList<string> SetCookies)
{
    public bool IsRedirect => Status is >= 300 and < 400 && Location is not null;

    public bool IsServed => Status is >= 200 and < 300;

    /// <summary>"302 to https://…", "200", "401: body…" or "no answer (reason)".</summary>
    public string Describe()
    {
        if (Status == 0)
        {
            return $"no answer ({Body})";
        }

        if (Location is not null)
        {
            // The authorize URL's state alone is hundreds of characters: the query is left out.
            return $"{Status} to {(Location.Query.Length > 0 ? Location.GetLeftPart(UriPartial.Path) + "?…" : Location.ToString())}";
        }

        var excerpt = Body.ReplaceLineEndings(" ").Trim();
        excerpt = excerpt.Length <= 120 ? excerpt : excerpt[..120] + "…";
        return excerpt.Length == 0 ? Status.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Status}: {excerpt}";
    }
}
