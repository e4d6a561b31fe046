namespace ShadowCopy.Lint;

public enum ConstraintKind
{
    None,
    PrimaryKey,
    Unique,
    ForeignKey,
    Check,
    Exclude,
    Index,
    Fulltext,
    Spatial,
}
