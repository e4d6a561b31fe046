namespace ShadowCopy.Core.Revert;

/// <summary>Checksums of the old table and of the new one mapped back, taken in one snapshot.</summary>
public sealed record RevertCheck(long OldRows, string OldChecksum, long NewRows, string NewChecksum)
{
    public bool Equal => OldRows == NewRows && OldChecksum == NewChecksum;
}
