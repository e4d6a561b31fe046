namespace ShadowCopy.MySql.Model;

/// <summary>A source column and the shadow column that receives its values.</summary>
internal sealed record MyColumnMap(MyColumn Source, MyColumn Shadow)
{
    /// <summary>An expression that stands for the column in a checksum (a conversion function call); null: the column itself.</summary>
    public string? Expression { get; init; }

    public string SourceName => Source.Name;

    public string ShadowName => Shadow.Name;
}
