namespace ShadowCopy.Lint.Plan;

/// <summary>Catalog estimates of the live table and the copy rate measured on a sample (null when it could not be sampled).</summary>
public sealed record TableSize(long EstimatedRows, long TotalBytes, double? SampleRowsPerSecond, long SampledRows);
