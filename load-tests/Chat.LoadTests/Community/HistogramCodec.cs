using HdrHistogram;

namespace Chat.LoadTests.Community;

/// <summary>
/// HdrHistograms across processes: each generator worker sends its histograms encoded (each recorded
/// bucket's value and count, base64), and the coordinator adds them up. A bucket's value maps back
/// to the same bucket in a histogram of the same range and precision (<see cref="Stats.NewHistogram"/>),
/// so the merged histogram is exactly what recording every value in one would have given.
/// </summary>
public static class HistogramCodec
{
    public static string Encode(HistogramBase histogram)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
            foreach (var bucket in histogram.RecordedValues())
            {
                writer.Write7BitEncodedInt64(bucket.ValueIteratedTo);
                writer.Write7BitEncodedInt64(bucket.CountAtValueIteratedTo);
            }
        return Convert.ToBase64String(stream.ToArray());
    }

    /// <summary>Adds an encoded histogram's counts to <paramref name="into"/>.</summary>
    public static void AddTo(HistogramBase into, string encoded)
    {
        using var reader = new BinaryReader(new MemoryStream(Convert.FromBase64String(encoded)));
        while (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            var value = reader.Read7BitEncodedInt64();
            into.RecordValueWithCount(value, reader.Read7BitEncodedInt64());
        }
    }

    public static HistogramBase Decode(string encoded)
    {
        var h = Stats.NewHistogram();
        AddTo(h, encoded);
        return h;
    }

    /// <summary>The sum of the encoded histograms (empty ones and nulls skipped), in the tool's range (microseconds).</summary>
    public static HistogramBase Merge(IEnumerable<string?> encoded)
    {
        var merged = Stats.NewHistogram();
        foreach (var e in encoded)
            if (!string.IsNullOrEmpty(e)) AddTo(merged, e);
        return merged;
    }
}
