namespace ShadowCopy.Core.Verification;

/// <summary>
/// Keys the applier has touched since their rows were last verified at a consistent point: the
/// rows that would reach the live table unverified if the tables were swapped now. The providers
/// add each key after the apply that touched it committed; the delta verifier takes them in
/// bounded batches. Memory is bounded: past <see cref="Capacity"/> keys the set forgets them all
/// and says so (<see cref="Overflowed"/>), and the runner verifies every chunk again instead.
/// Thread-safe: --threads workers and the applier may report at once.
/// </summary>
public sealed class DirtyKeySet
{
    private readonly object _gate = new();
    private readonly HashSet<RowKey> _keys = [];

    public DirtyKeySet(int capacity = 500_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>False until the first full verification starts; keys applied before that are covered by it.</summary>
    public bool Tracking { get; private set; }

    /// <summary>More keys were touched than the set may hold; only a full verification clears this.</summary>
    public bool Overflowed { get; private set; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _keys.Count;
            }
        }
    }

    /// <summary>Starts tracking afresh: called at the start of a full verification, which covers everything before it.</summary>
    public void Restart()
    {
        lock (_gate)
        {
            _keys.Clear();
            Overflowed = false;
            Tracking = true;
        }
    }

    /// <summary>Changes were applied whose keys are not known (a TRUNCATE): only a full verification covers them.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            if (Tracking)
            {
                _keys.Clear();
                Overflowed = true;
            }
        }
    }

    public void Add(RowKey key)
    {
        lock (_gate)
        {
            AddLocked(key);
        }
    }

    public void AddRange(IEnumerable<RowKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        lock (_gate)
        {
            foreach (var key in keys)
            {
                AddLocked(key);
            }
        }
    }

    /// <summary>Removes and returns up to <paramref name="max"/> keys.</summary>
    public IReadOnlyList<RowKey> Take(int max)
    {
        lock (_gate)
        {
            var taken = _keys.Take(max).ToList();
            foreach (var key in taken)
            {
                _keys.Remove(key);
            }

            return taken;
        }
    }

    /// <summary>Every key, without removing them (for a bounded check under the cut-over lock).</summary>
    public IReadOnlyList<RowKey> Peek()
    {
        lock (_gate)
        {
            return [.. _keys];
        }
    }

    public void RemoveRange(IEnumerable<RowKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        lock (_gate)
        {
            foreach (var key in keys)
            {
                _keys.Remove(key);
            }
        }
    }

    private void AddLocked(RowKey key)
    {
        if (!Tracking || Overflowed)
        {
            return;
        }

        _keys.Add(key);
        if (_keys.Count > Capacity)
        {
            _keys.Clear();
            Overflowed = true;
        }
    }
}
