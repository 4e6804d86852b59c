namespace Portcullis.Proxy.Configuration;

/// <summary>Reads acme: into an <see cref="AcmeConfig"/>; null when the section is absent (no automatic certificates).</summary>
internal static class AcmeConfigReader
{
    public static AcmeConfig Read(ConfigSection section)
    {
        var email = section.Scalar("email");
        if (email is null)
        {
            section.SectionError("acme needs the account's email address.", "acme: { email: admin@domain.tld }; the CA writes there before a certificate expires.");
        }
        else if (!LooksLikeEmail(email.Value))
        {
            section.Error("email", email, $"'{email.Value}' is not an email address.", "write one address like admin@domain.tld, without mailto:.");
        }

        var defaults = new AcmeConfig { Email = email?.Value ?? "", Location = section.Location };
        var directory = defaults.Directory;
        if (section.Scalar("directory") is { } directoryNode)
        {
            // RFC 8555 §6.1: ACME runs over HTTPS only.
            if (Uri.TryCreate(directoryNode.Value, UriKind.Absolute, out var uri) && uri.Scheme == "https" && uri.UserInfo.Length == 0)
            {
                directory = uri;
            }
            else
            {
                section.Error("directory", directoryNode, $"'{directoryNode.Value}' is not an https URL of an ACME directory.",
                    $"leave it out for Let's Encrypt ({AcmeDirectories.LetsEncryptProduction}), or write e.g. {AcmeDirectories.LetsEncryptStaging} for testing.");
            }
        }

        return defaults with { Directory = directory, CaPath = section.FilePath("ca"), Challenges = ReadChallenges(section) };
    }

    private static IReadOnlyList<string>? ReadChallenges(ConfigSection section)
    {
        if (section.Texts("challenges") is not { } items)
        {
            return null;
        }

        const string Hint = "write a list of http-01 (plain HTTP on port 80) and tls-alpn-01 (the TLS handshake on port 443), preferred first, or leave it out for both.";
        if (items.Count == 0)
        {
            section.Error("challenges", section.Child("challenges")!, "is empty: the CA needs one challenge answered to issue.", Hint);
            return null;
        }

        var challenges = new List<string>(items.Count);
        var mistaken = false;
        foreach (var (node, value) in items)
        {
            var problem = value switch
            {
                "dns-01" => "dns-01 is not implemented: Portcullis answers http-01 and tls-alpn-01.",
                AcmeChallengeNames.Http01 or AcmeChallengeNames.TlsAlpn01 when challenges.Contains(value) => $"{value} is listed twice.",
                AcmeChallengeNames.Http01 or AcmeChallengeNames.TlsAlpn01 => null,
                _ => $"'{value}' is not a challenge Portcullis answers.",
            };
            if (problem is null)
            {
                challenges.Add(value);
            }
            else
            {
                section.Error("challenges", node, problem, Hint);
                mistaken = true;
            }
        }

        // Reported once: the validator then checks the listeners against the default, not an empty list.
        return mistaken ? null : challenges;
    }

    // One address, no display name, no mailto: (the reader adds it), no spaces or commas that
    // would make the contact URL a list (RFC 6068 §2).
    private static bool LooksLikeEmail(string? value) =>
        value is { Length: > 2 } && value.IndexOf('@') is var at && at > 0 && at < value.Length - 1 && at == value.LastIndexOf('@')
        && !value.Any(c => char.IsWhiteSpace(c) || c is ',' or '<' or '>' or ':' or '?');
}
