namespace Portcullis.Check.Probing;

/// <summary>One probe's deadline, linked to the caller's cancellation.</summary>
internal static class ProbeTimeout
{
    public static CancellationTokenSource Start(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(timeout);
        return source;
    }

    /// <summary>A one-line description of why a probe failed, innermost cause included.</summary>
    public static string Describe(Exception exception)
    {
        if (exception is OperationCanceledException or TimeoutException)
        {
            return "no answer in time";
        }

        var message = exception.Message;
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!message.Contains(inner.Message, StringComparison.Ordinal))
            {
                message += " (" + inner.Message + ")";
            }
        }

        return message;
    }
}
