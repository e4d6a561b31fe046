using ShadowCopy.MySql.Model;

namespace ShadowCopy.MySql;

/// <content>What the reverse capture of <c>alter --revertible</c> needs from the run (ADR 0031).</content>
public sealed partial class MySqlAlterBackend
{
    internal MyMapping? RevertMapping => _mapping;

    internal MyTable? RevertSource => _source;

    internal string? RevertAlter => _alter;
}
