using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.State;
using ShadowCopy.Postgres.Shadow;
using ShadowCopy.Postgres.State;

namespace ShadowCopy.Postgres.Tests;

public sealed class PgCheckpointTests
{
    [Fact]
    public void FromRow_ArgsOfCompositeHostileKeys_RestoresEveryKeyExactly()
    {
        string[] awkward = ["a,b", "[\"]", "ñ€✓ 😀", "back\\slash", string.Empty, "2024-01-01 00:00:00.000001+00", "  spaced  "];
        var checkpoint = new PgCheckpoint(
            "ADD COLUMN note text DEFAULT 'n/a'",
            "logical",
            "f00d",
            awkward,
            BackendCopyDone: false,
            [(null, ["1", "x"]), (["1", "x"], awkward), (awkward, null)],
            ["CREATE INDEX i ON s.t USING btree (n) WHERE (n > 500)"],
            "0/16B3748",
            new RunProgress { Phase = Phase.Copying, RowsCopied = 123, ChangesApplied = 4, ChunksCopied = 3, CopyDone = false, RowsEstimated = 1000 });

        var restored = PgCheckpoint.FromRow([.. checkpoint.Args()]);

        Assert.Equal(checkpoint.Alter, restored.Alter);
        Assert.Equal(checkpoint.Capture, restored.Capture);
        Assert.Equal(awkward, restored.CopyCursor);
        Assert.Equal(3, restored.Chunks.Count);
        Assert.Null(restored.Chunks[0].Lower);
        Assert.Equal(["1", "x"], restored.Chunks[0].Upper!);
        Assert.Equal(awkward, restored.Chunks[1].Upper);
        Assert.Null(restored.Chunks[2].Upper);
        Assert.Equal(checkpoint.DeferredIndexes, restored.DeferredIndexes);
        Assert.Equal(checkpoint.Progress, restored.Progress);
    }

    [Fact]
    public void FromRow_NoCursorCopyDone_KeepsNullCursor()
    {
        var checkpoint = new PgCheckpoint("x", "trigger", "f", null, true, [], [], null, new RunProgress { Phase = Phase.Verifying, CopyDone = true });
        var restored = PgCheckpoint.FromRow([.. checkpoint.Args()]);
        Assert.Null(restored.CopyCursor);
        Assert.True(restored.BackendCopyDone);
        Assert.True(restored.Progress.CopyDone);
        Assert.Equal(Phase.Verifying, restored.Progress.Phase);
    }

    [Theory]
    [InlineData("CREATE INDEX i ON s.t USING btree (n)", "CREATE INDEX IF NOT EXISTS i ON s.t USING btree (n)")]
    [InlineData("CREATE INDEX IF NOT EXISTS i ON s.t USING btree (n)", "CREATE INDEX IF NOT EXISTS i ON s.t USING btree (n)")]
    [InlineData("CREATE UNIQUE INDEX i ON s.t USING btree (n)", "CREATE UNIQUE INDEX i ON s.t USING btree (n)")]
    public void IfNotExists_DeferredIndexDefinition_BecomesIdempotent(string definition, string expected) =>
        Assert.Equal(expected, PgDeferredIndexes.IfNotExists(definition));
}
