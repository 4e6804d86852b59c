namespace Portcullis.EndToEnd.Admin;

/// <summary>
/// The admin tests run one after another: meters are process-wide, and an OpenTelemetry meter
/// provider listens to every meter of a name, so two Portcullis instances with metrics on at once
/// would each export the other's counts too. Other tests leave admin off and create no such meter.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AdminCollection
{
    public const string Name = "admin listener";
}
