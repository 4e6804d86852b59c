using System.Globalization;

namespace Portcullis.EndToEnd.Admin;

/// <summary>One scrape of /metrics in Prometheus' text format (version 0.0.4), read into series.</summary>
public sealed class PrometheusText
{
    private PrometheusText(IReadOnlyList<PrometheusSeries> series) => All = series;

    public IReadOnlyList<PrometheusSeries> All { get; }

    /// <summary>Every metric name that has a sample (histograms as their _bucket, _sum and _count).</summary>
    public IReadOnlySet<string> Names => All.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    public static PrometheusText Parse(string text)
    {
        var series = new List<PrometheusSeries>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var brace = line.IndexOf('{');
            var space = line.IndexOf(' ');
            string name, rest;
            if (brace >= 0 && brace < space)
            {
                name = line[..brace];
                var close = line.LastIndexOf('}');
                ReadLabels(line[(brace + 1)..close], labels);
                rest = line[(close + 1)..].Trim();
            }
            else
            {
                name = line[..space];
                rest = line[(space + 1)..].Trim();
            }

            var value = rest.Split(' ')[0];
            series.Add(new PrometheusSeries(name, labels, value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                _ => double.Parse(value, CultureInfo.InvariantCulture),
            }));
        }

        return new PrometheusText(series);
    }

    /// <summary>The series of this name carrying all these labels (others may be there too).</summary>
    public IReadOnlyList<PrometheusSeries> Find(string name, params (string Key, string Value)[] labels) =>
        All.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToArray();

    /// <summary>The sum over <see cref="Find"/>, null when no such series exists.</summary>
    public double? Value(string name, params (string Key, string Value)[] labels)
    {
        var found = Find(name, labels);
        return found.Count == 0 ? null : found.Sum(s => s.Value);
    }

    private static void ReadLabels(string text, Dictionary<string, string> labels)
    {
        var i = 0;
        while (i < text.Length)
        {
            var equals = text.IndexOf('=', i);
            var key = text[i..equals].Trim(',', ' ');
            var value = new System.Text.StringBuilder();
            var j = equals + 2; // past ="
            for (; text[j] != '"'; j++)
            {
                if (text[j] == '\\')
                {
                    j++;
                    value.Append(text[j] == 'n' ? '\n' : text[j]);
                }
                else
                {
                    value.Append(text[j]);
                }
            }

            labels[key] = value.ToString();
            i = j + 1;
        }
    }
}
