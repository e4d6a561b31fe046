namespace ShadowCopy.Cli.Output;

internal enum OutputFormat
{
    Text,
    Json,
}
