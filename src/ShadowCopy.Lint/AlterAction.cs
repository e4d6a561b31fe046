namespace ShadowCopy.Lint;

public enum AlterAction
{
    Other,
    AddColumn,
    DropColumn,
    AlterColumnType,
    SetNotNull,
    DropNotNull,
    SetDefault,
    DropDefault,
    AddConstraint,
    DropConstraint,
    ValidateConstraint,
    AddIndex,
    DropIndex,
    DropPrimaryKey,
    ModifyColumn,
    ChangeColumn,
    RenameColumn,
    RenameTable,
    RenameIndex,
    Algorithm,
    Lock,
    ConvertCharset,
    Rebuild,
    SetLoggedOrTablespace,
}
