using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

public sealed class Http01ChallengeResponderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void TryGetKeyAuthorization_AddedToken_ReturnsKeyAuthorization()
    {
        var responder = new Http01ChallengeResponder(directory: null);
        responder.Add("tok-1_A", "tok-1_A.thumb");

        Assert.True(responder.TryGetKeyAuthorization("/.well-known/acme-challenge/tok-1_A", out var answer));
        Assert.Equal("tok-1_A.thumb", answer);
    }

    [Fact]
    public void TryGetKeyAuthorization_UnknownTokenOrOtherPath_ReturnsFalse()
    {
        var responder = new Http01ChallengeResponder(directory: null);
        responder.Add("tok", "tok.thumb");

        Assert.False(responder.TryGetKeyAuthorization("/.well-known/acme-challenge/other", out _));
        Assert.False(responder.TryGetKeyAuthorization("/tok", out _));
        Assert.False(responder.TryGetKeyAuthorization("/.well-known/acme-challenge/", out _));
    }

    [Fact]
    public void TryGetKeyAuthorization_AnotherInstanceSharingTheDirectory_AnswersFromFile()
    {
        var ordering = new Http01ChallengeResponder(_directory.Path);
        var other = new Http01ChallengeResponder(_directory.Path);

        ordering.Add("tok", "tok.thumb");

        Assert.True(other.TryGetKeyAuthorization("/.well-known/acme-challenge/tok", out var answer));
        Assert.Equal("tok.thumb", answer);
    }

    [Fact]
    public void Remove_AddedToken_NeitherInstanceAnswers()
    {
        var ordering = new Http01ChallengeResponder(_directory.Path);
        var other = new Http01ChallengeResponder(_directory.Path);
        ordering.Add("tok", "tok.thumb");

        ordering.Remove("tok");

        Assert.False(ordering.TryGetKeyAuthorization("/.well-known/acme-challenge/tok", out _));
        Assert.False(other.TryGetKeyAuthorization("/.well-known/acme-challenge/tok", out _));
        Assert.Empty(Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public void TryGetKeyAuthorization_PathTraversal_ReturnsFalseWithoutReadingOtherFiles()
    {
        File.WriteAllText(Path.Combine(_directory.Path, "secret"), "x");
        var responder = new Http01ChallengeResponder(Path.Combine(_directory.Path, "challenges"));

        Assert.False(responder.TryGetKeyAuthorization("/.well-known/acme-challenge/../secret", out _));
        Assert.False(responder.TryGetKeyAuthorization("/.well-known/acme-challenge/%2e%2e%2fsecret", out _));
    }

    [Fact]
    public void Add_TokenWithSlash_Throws()
    {
        var responder = new Http01ChallengeResponder(_directory.Path);

        Assert.Throws<ArgumentException>(() => responder.Add("../x", "y"));
    }
}
