namespace ShadowCopy.Core.Verification;

/// <summary>The verification seam: chunk checksums of both tables at one consistent point, and the re-copy of chunks that differ.</summary>
public interface IChecksumSource
{
    /// <summary>Checksums the given chunks (null: all) of both tables in one consistent snapshot.</summary>
    Task<VerifyRoundResult> VerifyChunksAsync(IReadOnlyList<int>? chunks, CancellationToken cancellationToken);

    /// <summary>Deletes the shadow's rows of these chunks and copies them again from the original.</summary>
    Task RecopyChunksAsync(IReadOnlyList<int> chunks, CancellationToken cancellationToken);
}
