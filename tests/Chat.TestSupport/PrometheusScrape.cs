using System.Globalization;

namespace Chat.TestSupport;

/// <summary>Reads a counter from a host's /metrics (Prometheus text), summed over its label sets.</summary>
public static class PrometheusScrape
{
    public static async Task<double> SumAsync(Uri baseAddress, string metric)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var text = await http.GetStringAsync("/metrics");
        double sum = 0;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(metric, StringComparison.Ordinal)) continue;
            var rest = line[metric.Length..];
            if (rest.Length == 0 || (rest[0] != ' ' && rest[0] != '{')) continue; // another metric with this prefix
            var value = line[(line.LastIndexOf(' ') + 1)..];
            sum += double.Parse(value, CultureInfo.InvariantCulture);
        }
        return sum;
    }
}
