using Portcullis.Proxy.Configuration;

namespace Portcullis.Tests.Configuration;

public class ValueParsersTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("10m", 600_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("2.5", 2_500)]
    [InlineData("0.5s", 500)]
    [InlineData(" 45s ", 45_000)]
    [InlineData("100", 100_000)]
    public void TryParseDuration_ValidText_ReturnsDuration(string text, long milliseconds)
    {
        Assert.True(ValueParsers.TryParseDuration(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("10 seconds")]
    [InlineData("10sec")]
    [InlineData("s")]
    [InlineData("h1")]
    [InlineData("-5")]
    [InlineData("-5s")]
    [InlineData("1.2.3s")]
    [InlineData("5w")]
    [InlineData("1h 30m")]
    [InlineData("Infinity")]
    [InlineData("NaN")]
    [InlineData("1e300")]
    [InlineData("99999999999999h")]
    public void TryParseDuration_InvalidText_ReturnsFalse(string text)
    {
        Assert.False(ValueParsers.TryParseDuration(text, out _));
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("4096", 4096L)]
    [InlineData("100b", 100L)]
    [InlineData("64KiB", 64L * 1024)]
    [InlineData("64k", 64L * 1024)]
    [InlineData("100MiB", 100L * 1024 * 1024)]
    [InlineData("1g", 1L << 30)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("64KB", 64_000L)]
    [InlineData("2MB", 2_000_000L)]
    [InlineData("1GB", 1_000_000_000L)]
    [InlineData("1.5KiB", 1536L)]
    [InlineData("32 KiB", 32L * 1024)]
    public void TryParseSize_ValidText_ReturnsBytes(string text, long bytes)
    {
        Assert.True(ValueParsers.TryParseSize(text, out var value));
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("KiB")]
    [InlineData("lots")]
    [InlineData("64 kilobytes")]
    [InlineData("64TB")]
    [InlineData("-1")]
    [InlineData("1e6")]
    [InlineData("1..2k")]
    public void TryParseSize_InvalidText_ReturnsFalse(string text)
    {
        Assert.False(ValueParsers.TryParseSize(text, out _));
    }

    [Theory]
    [InlineData(500, "500ms")]
    [InlineData(30_000, "30s")]
    [InlineData(600_000, "10m")]
    [InlineData(3_600_000, "1h")]
    [InlineData(5_400_000, "5400s")]
    public void FormatDuration_Duration_TextParsesBackToSameValue(long milliseconds, string expected)
    {
        var text = ValueParsers.FormatDuration(TimeSpan.FromMilliseconds(milliseconds));

        Assert.Equal(expected, text);
        Assert.True(ValueParsers.TryParseDuration(text, out var parsed));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), parsed);
    }
}
