using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace ShadowCopy.Benchmarks;

/// <summary>
/// Benchmarks against the local server: 15 measured iterations because round trips to a shared server are
/// noisy, and a ten-minute limit for building the generated project (on a loaded 2-core machine the
/// default two minutes is not enough).
/// </summary>
internal sealed class ServerBenchmarkConfig : ManualConfig
{
    public ServerBenchmarkConfig()
    {
        AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(15));
        WithBuildTimeout(TimeSpan.FromMinutes(10));
    }
}
