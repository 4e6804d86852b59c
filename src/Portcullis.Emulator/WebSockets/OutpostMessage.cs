namespace Portcullis.Emulator.WebSockets;

/// <summary>
/// authentik's <c>WebsocketMessage</c> dataclass as it goes over the wire:
/// <c>{"instruction": 1, "args": {...}}</c>.
/// </summary>
internal sealed record OutpostMessage(int Instruction, IReadOnlyDictionary<string, string> Args);
