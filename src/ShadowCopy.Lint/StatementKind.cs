namespace ShadowCopy.Lint;

public enum StatementKind
{
    Other,
    AlterTable,
    CreateTable,
    CreateIndex,
    DropIndex,
    DropTable,
    RenameTable,
    Begin,
    Commit,
    Rollback,
    Set,
    Update,
    Delete,
    Truncate,
    DropDatabase,
    CreateDomain,
    AlterDomain,
    AlterType,
    Vacuum,
    Cluster,
    Reindex,
    RefreshMaterializedView,
    OptimizeTable,
}
