namespace Portcullis.Emulator.WebSockets;

/// <summary>authentik's <c>WebsocketMessageInstruction</c> (authentik/outposts/consumer.py).</summary>
internal enum OutpostInstruction
{
    Ack = 0,
    Hello = 1,
    TriggerUpdate = 2,
    ProviderSpecific = 3,
    SessionEnd = 4,
}
