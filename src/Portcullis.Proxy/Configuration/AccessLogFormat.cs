namespace Portcullis.Proxy.Configuration;

/// <summary>Access-log line formats.</summary>
public enum AccessLogFormat
{
    /// <summary>The NCSA combined format nginx and Apache write, plus host, upstream and duration.</summary>
    Combined,

    /// <summary>One JSON object per line.</summary>
    Json,
}
