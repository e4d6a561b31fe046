namespace ShadowCopy.Core.Verification;

/// <summary>Result of checksumming a set of chunks in one consistent snapshot.</summary>
public sealed record VerifyRoundResult(int ChunksChecked, long RowsChecked, IReadOnlyList<int> MismatchedChunks);
