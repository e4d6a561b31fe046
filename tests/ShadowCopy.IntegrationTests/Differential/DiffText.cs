using System.Text;

namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>Renders exact values for failure messages: printable UTF-8 as quoted text, anything else as 0x hex.</summary>
internal static class DiffText
{
    private static readonly UTF8Encoding Strict = new(false, true);

    public static string FromHex(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        try
        {
            var text = Strict.GetString(bytes);
            if (!text.Any(char.IsControl))
            {
                return text;
            }
        }
        catch (DecoderFallbackException)
        {
            // not UTF-8: show the bytes
        }

        return "0x" + hex;
    }

    public static string Show(string value) => value.StartsWith("0x", StringComparison.Ordinal) ? value : $"'{value}'";
}
