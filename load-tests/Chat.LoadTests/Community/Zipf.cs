namespace Chat.LoadTests.Community;

/// <summary>
/// Zipf popularity over n ranks: rank k (0-based) is chosen with probability proportional to
/// 1/(k+1)^s. A community's threads are like this (s about 1.1): a few draw most readers and posts,
/// a long tail draws a few each. Sampling is a binary search of the cumulative distribution.
/// </summary>
public sealed class Zipf
{
    private readonly double[] _cdf;

    public Zipf(int n, double s)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(s);
        _cdf = new double[n];
        double sum = 0;
        for (var k = 0; k < n; k++) _cdf[k] = sum += 1 / Math.Pow(k + 1, s);
        for (var k = 0; k < n; k++) _cdf[k] /= sum;
        _cdf[^1] = 1;
    }

    public int Count => _cdf.Length;

    /// <summary>The probability of rank k.</summary>
    public double Probability(int k) => k == 0 ? _cdf[0] : _cdf[k] - _cdf[k - 1];

    public int Sample(Random random)
    {
        var u = random.NextDouble();
        var i = Array.BinarySearch(_cdf, u);
        return Math.Min(i >= 0 ? i : ~i, _cdf.Length - 1);
    }
}
