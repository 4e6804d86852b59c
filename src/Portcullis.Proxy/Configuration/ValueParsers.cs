using System.Globalization;

namespace Portcullis.Proxy.Configuration;

/// <summary>Parses the human-friendly scalars of the config: durations and sizes.</summary>
public static class ValueParsers
{
    /// <summary>"500ms", "30s", "10m", "1h", "1h30m", or a plain number of seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        try
        {
            return TryParseDurationUnchecked(text, out value);
        }
        catch (Exception ex) when (ex is OverflowException or ArgumentException)
        {
            // "1e300", "Infinity", "NaN", "99999999999999h": a config error, not a crash of the loader.
            value = TimeSpan.Zero;
            return false;
        }
    }

    private static bool TryParseDurationUnchecked(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        text = text.Trim();
        if (text.Length == 0)
        {
            return false;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            value = TimeSpan.FromSeconds(seconds);
            return seconds >= 0;
        }

        var total = TimeSpan.Zero;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            switch (text[unitStart..i])
            {
                case "ms": total += TimeSpan.FromMilliseconds(number); break;
                case "s": total += TimeSpan.FromSeconds(number); break;
                case "m": total += TimeSpan.FromMinutes(number); break;
                case "h": total += TimeSpan.FromHours(number); break;
                case "d": total += TimeSpan.FromDays(number); break;
                default: return false;
            }
        }

        value = total;
        return true;
    }

    /// <summary>"64KiB", "100MiB", "1GiB", "64KB" (1000-based), or a plain number of bytes.</summary>
    public static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        text = text.Trim();
        var i = 0;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
        {
            i++;
        }

        if (i == 0 || !double.TryParse(text.AsSpan(0, i), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        long multiplier = text[i..].Trim().ToLowerInvariant() switch
        {
            "" or "b" => 1,
            "k" or "kib" => 1L << 10,
            "m" or "mib" => 1L << 20,
            "g" or "gib" => 1L << 30,
            "kb" => 1000,
            "mb" => 1000 * 1000,
            "gb" => 1000 * 1000 * 1000,
            _ => 0,
        };
        if (multiplier == 0)
        {
            return false;
        }

        bytes = (long)(number * multiplier);
        return bytes >= 0;
    }

    /// <summary>Formats a duration the way the config accepts it, for messages and the README.</summary>
    public static string FormatDuration(TimeSpan value) => value switch
    {
        { TotalMilliseconds: < 1000 } => $"{value.TotalMilliseconds:0}ms",
        { TotalSeconds: < 60 } => $"{value.TotalSeconds:0.###}s",
        { TotalMinutes: < 60 } when value.Seconds == 0 => $"{value.TotalMinutes:0}m",
        { Minutes: 0, Seconds: 0 } => $"{value.TotalHours:0}h",
        _ => $"{value.TotalSeconds:0}s",
    };
}
