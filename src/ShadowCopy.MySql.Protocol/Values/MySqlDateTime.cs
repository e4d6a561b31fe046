using System.Globalization;

namespace ShadowCopy.MySql.Protocol;

/// <summary>
/// A DATE, DATETIME or TIMESTAMP value exactly as the server holds it, including the zero date
/// '0000-00-00' and partial zero dates that <see cref="DateTime"/> cannot represent.
/// TIMESTAMP values decoded from the binlog are in UTC; from the text protocol they are in the session time zone.
/// </summary>
public readonly record struct MySqlDateTime(int Year, int Month, int Day, int Hour, int Minute, int Second, int Microsecond)
{
    public static MySqlDateTime Zero => default;

    public bool IsZero => this == default;

    /// <summary>True when the value is a real calendar date that <see cref="DateTime"/> can hold.</summary>
    public bool IsValidDateTime =>
        Year is >= 1 and <= 9999 && Month is >= 1 and <= 12 && Day >= 1 && Day <= DateTime.DaysInMonth(Year, Month)
        && Hour < 24 && Minute < 60 && Second < 60 && Microsecond is >= 0 and < 1_000_000;

    public static MySqlDateTime FromDateTime(DateTime value) =>
        new(value.Year, value.Month, value.Day, value.Hour, value.Minute, value.Second, (int)(value.Ticks % TimeSpan.TicksPerSecond / 10));

    public DateTime ToDateTime()
    {
        if (!IsValidDateTime)
        {
            throw new InvalidOperationException($"'{this}' is not representable as System.DateTime.");
        }

        return new DateTime(Year, Month, Day, Hour, Minute, Second).AddTicks(Microsecond * 10L);
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Year:D4}-{Month:D2}-{Day:D2} {Hour:D2}:{Minute:D2}:{Second:D2}.{Microsecond:D6}");
}
