namespace ShadowCopy.MySql.Model;

/// <summary>A source column and the shadow column that receives its values.</summary>
internal sealed record MyColumnMap(MyColumn Source, MyColumn Shadow)
{
    public string SourceName => Source.Name;

    public string ShadowName => Shadow.Name;
}
