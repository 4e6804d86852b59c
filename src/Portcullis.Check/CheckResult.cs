namespace Portcullis.Check;

/// <summary>
/// One requirement's verdict.
/// </summary>
/// <param name="Id">Stable kebab-case id, e.g. <c>client-ip-spoof-xff</c>: scripts and the conformance suite match on it.</param>
/// <param name="Requirement">The requirement in words.</param>
/// <param name="Status">The verdict.</param>
/// <param name="Detail">What was observed (what the upstream saw, the server's answer).</param>
/// <param name="Fix">For WARN and FAIL: the setting to change in nginx, Caddy, Traefik, HAProxy and Portcullis; otherwise null.</param>
public sealed record CheckResult(string Id, string Requirement, CheckStatus Status, string Detail, string? Fix);
