namespace Portcullis.Check;

/// <summary>Every check's result, in a stable order.</summary>
/// <param name="Results">One entry per check id.</param>
public sealed record CheckReport(IReadOnlyList<CheckResult> Results)
{
    /// <summary>True when any check failed: <c>portcullis check</c> then exits with 1.</summary>
    public bool HasFailure => Results.Any(result => result.Status == CheckStatus.Fail);

    /// <summary>The result with this id, or null.</summary>
    public CheckResult? Find(string id) => Results.FirstOrDefault(result => result.Id == id);
}
