namespace ShadowCopy.Core.Copy;

/// <summary>The copy seam: one engine copies the next key-range chunk from the table into the shadow.</summary>
public interface IChunkCopier
{
    /// <summary>Copies the next key-range chunk of about <paramref name="chunkSize"/> rows.</summary>
    Task<ChunkResult> CopyChunkAsync(int chunkSize, CancellationToken cancellationToken);
}
