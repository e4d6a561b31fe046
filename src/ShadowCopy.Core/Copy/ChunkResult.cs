namespace ShadowCopy.Core.Copy;

/// <summary>One copied chunk: rows written, and whether the key space is exhausted.</summary>
public sealed record ChunkResult(long Rows, bool Done, TimeSpan Elapsed);
