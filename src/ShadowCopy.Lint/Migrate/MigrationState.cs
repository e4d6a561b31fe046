namespace ShadowCopy.Lint.Migrate;

/// <summary>The checkpoint table of <c>shadowcopy migrate</c>: one per schema (PostgreSQL) or database (MySQL), a row per migration in progress.</summary>
public static class MigrationState
{
    public const string Table = "_shadowcopy_migrate_state";

    /// <summary>The marker every helper carries ("shadowcopy:"), so cleanup drops it and nothing that merely looks alike.</summary>
    public const string Comment = "shadowcopy:migration checkpoints; remove with shadowcopy cleanup --migrations";
}
