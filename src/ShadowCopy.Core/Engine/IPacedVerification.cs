using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Engine;

/// <summary>
/// A backend whose full verification can be paced by the latency guard (ADR 0033): after each chunk
/// it compares, it awaits <see cref="AfterVerifyChunk"/> with the time that chunk took.
/// </summary>
public interface IPacedVerification
{
    Func<TimeSpan, CancellationToken, Task>? AfterVerifyChunk { get; set; }
}
