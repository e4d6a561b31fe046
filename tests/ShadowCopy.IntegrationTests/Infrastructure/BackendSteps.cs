using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.IntegrationTests.Infrastructure;

/// <summary>A run's steps driven by hand, for tests that stop a run at an exact point (as a kill would).</summary>
internal static class BackendSteps
{
    /// <summary>Preflight, shadow, capture, every chunk and the copy's finish; returns the rows copied.</summary>
    public static async Task<long> CopyEverythingAsync(IAlterBackend backend, int chunkSize)
    {
        await backend.PreflightAsync(CancellationToken.None);
        await backend.CreateShadowAsync(CancellationToken.None);
        await backend.StartCaptureAsync(CancellationToken.None);
        long rows = 0;
        while (await backend.CopyChunkAsync(chunkSize, CancellationToken.None) is { } chunk)
        {
            rows += chunk.Rows;
            if (chunk.Done)
            {
                break;
            }
        }

        await backend.FinishCopyAsync(CancellationToken.None);
        return rows;
    }
}
