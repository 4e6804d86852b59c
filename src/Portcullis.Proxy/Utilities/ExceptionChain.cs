namespace Portcullis.Proxy.Utilities;

/// <summary>
/// Reads what an upstream failure really was: HttpClient and YARP wrap the socket, TLS or
/// Kestrel exception that says it in one or more layers ("An error occurred while sending the
/// request").
/// </summary>
public static class ExceptionChain
{
    /// <summary>The first exception of type T along the inner exceptions, aggregates included.</summary>
    public static T? Find<T>(Exception? exception) where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }

            if (e is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Select(Find<T>).FirstOrDefault(f => f is not null);
            }
        }

        return null;
    }

    /// <summary>The innermost message: "Connection refused (127.0.0.1:9443)", not "An error occurred while sending the request."</summary>
    public static string InnermostMessage(Exception exception)
    {
        var innermost = exception;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost.Message.Trim();
    }
}
