using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Control;

/// <summary>A live run already answers on the control socket: another shadowcopy run controls this table.</summary>
public sealed class ControlSocketInUseException(string path)
    : ShadowCopyException(
        $"another shadowcopy run controls this table (its control socket {path} answers); wait for it, stop it with `shadowcopy ctl --socket {path} panic`, or give this run another --control-socket",
        ExitCodes.NameConflict)
{
    public string SocketPath { get; } = path;
}
