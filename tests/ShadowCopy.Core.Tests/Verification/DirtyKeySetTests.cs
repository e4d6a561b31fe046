using ShadowCopy.Core.Verification;

namespace ShadowCopy.Core.Tests.Verification;

public sealed class DirtyKeySetTests
{
    private static RowKey Key(int id) => new([id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    [Fact]
    public void Add_beforeTracking_isIgnored_becauseTheFullVerificationCoversIt()
    {
        var set = new DirtyKeySet();
        set.Add(Key(1));
        Assert.Equal(0, set.Count);
        set.Restart();
        set.Add(Key(1));
        set.Add(Key(1));
        Assert.Equal(1, set.Count);
    }

    [Fact]
    public void Add_pastCapacity_forgetsEverythingAndReportsOverflow_untilRestart()
    {
        var set = new DirtyKeySet(capacity: 3);
        set.Restart();
        set.AddRange([Key(1), Key(2), Key(3), Key(4)]);
        Assert.True(set.Overflowed);
        Assert.Equal(0, set.Count);
        set.Add(Key(5));
        Assert.Equal(0, set.Count);
        set.Restart();
        Assert.False(set.Overflowed);
    }

    [Fact]
    public void Take_removesAtMostMax_peekDoesNotRemove()
    {
        var set = new DirtyKeySet();
        set.Restart();
        set.AddRange(Enumerable.Range(1, 10).Select(Key));
        Assert.Equal(10, set.Peek().Count);
        var taken = set.Take(4);
        Assert.Equal(4, taken.Count);
        Assert.Equal(6, set.Count);
        set.RemoveRange(set.Peek());
        Assert.Equal(0, set.Count);
    }

    [Fact]
    public void Invalidate_whileTracking_needsAFullVerification()
    {
        var set = new DirtyKeySet();
        set.Invalidate();
        Assert.False(set.Overflowed);
        set.Restart();
        set.Add(Key(1));
        set.Invalidate();
        Assert.True(set.Overflowed);
    }

    [Fact]
    public void RowKey_equality_isOrdinalOverAllParts()
    {
        Assert.Equal(new RowKey(["1", "a"]), new RowKey(["1", "a"]));
        Assert.NotEqual(new RowKey(["1", "a"]), new RowKey(["1", "A"]));
        Assert.NotEqual(new RowKey(["1"]), new RowKey(["1", "a"]));
    }
}
