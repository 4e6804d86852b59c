namespace Portcullis.EndToEnd.Admin;

/// <summary>One sample line of a scrape: the metric name, its labels and its value.</summary>
public sealed record PrometheusSeries(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
