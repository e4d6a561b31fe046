using System.Globalization;

namespace ShadowCopy.Lint;

/// <summary>A server version such as 15, 8.0.29 or 10.11; missing parts count as 0.</summary>
public readonly record struct ServerVersion(int Major, int Minor, int Patch) : IComparable<ServerVersion>
{
    public static bool TryParse(string? text, out ServerVersion version)
    {
        version = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text.Trim().Split('.');
        if (parts.Length > 3)
        {
            return false;
        }

        var numbers = new int[3];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return false;
            }
        }

        version = new ServerVersion(numbers[0], numbers[1], numbers[2]);
        return true;
    }

    public bool AtLeast(int major, int minor = 0, int patch = 0) => CompareTo(new ServerVersion(major, minor, patch)) >= 0;

    public int CompareTo(ServerVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor != other.Minor ? Minor.CompareTo(other.Minor) : Patch.CompareTo(other.Patch);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}");

    public static bool operator <(ServerVersion left, ServerVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(ServerVersion left, ServerVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(ServerVersion left, ServerVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ServerVersion left, ServerVersion right) => left.CompareTo(right) >= 0;
}
