namespace ShadowCopy.Lint;

/// <summary>What the statement does to the table's data besides the lock: nothing, a full read, or a full rewrite.</summary>
public enum TableEffect
{
    None,
    Scan,
    Rewrite,
}
