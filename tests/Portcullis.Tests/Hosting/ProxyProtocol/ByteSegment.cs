using System.Buffers;

namespace Portcullis.Tests.Hosting.ProxyProtocol;

/// <summary>One segment of a hand-made multi-segment <see cref="ReadOnlySequence{T}"/>.</summary>
internal sealed class ByteSegment : ReadOnlySequenceSegment<byte>
{
    public ByteSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public ByteSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new ByteSegment(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }
}
