namespace ShadowCopy.MySql;

/// <summary>How changes made to the table during the copy reach the shadow.</summary>
public enum CaptureMode
{
    /// <summary>Row events from the replication stream, applied from their row images.</summary>
    Binlog,

    /// <summary>AFTER triggers that write each change to the shadow in the writer's transaction.</summary>
    Trigger,
}
