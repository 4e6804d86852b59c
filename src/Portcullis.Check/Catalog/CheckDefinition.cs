namespace Portcullis.Check.Catalog;

/// <summary>A check's requirement in words and the fix a failure names, per proxy.</summary>
internal sealed record CheckDefinition(string Id, string Requirement, string Fix);
