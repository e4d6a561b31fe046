using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Engine;

/// <summary>Optional: a backend whose change capture has a lag worth showing (e.g. a slot's retained WAL).</summary>
public interface ICaptureStatus
{
    string? CaptureDetail { get; }
}
