namespace ShadowCopy.MySql.Model;

/// <summary>One InnoDB foreign key as information_schema reports it (columns in key order).</summary>
internal sealed record MyForeignKey(
    string Name,
    string ChildSchema,
    string ChildTable,
    IReadOnlyList<string> ChildColumns,
    string ParentSchema,
    string ParentTable,
    IReadOnlyList<string> ParentColumns,
    string UpdateRule,
    string DeleteRule)
{
    /// <summary>RESTRICT and NO ACTION only check; CASCADE, SET NULL and SET DEFAULT make the server change rows itself.</summary>
    public bool ChangesRows => !IsCheckOnly(UpdateRule) || !IsCheckOnly(DeleteRule);

    public string Actions => $" ON DELETE {DeleteRule} ON UPDATE {UpdateRule}";

    public bool IsChildOf(string schema, string table) => ChildSchema == schema && ChildTable == table;

    public bool IsParentOf(string schema, string table) => ParentSchema == schema && ParentTable == table;

    public string Describe() => $"{Name} ({ChildSchema}.{ChildTable} -> {ParentSchema}.{ParentTable})";

    private static bool IsCheckOnly(string rule) => rule is "RESTRICT" or "NO ACTION";
}
