namespace Chat.Contracts;

/// <summary>The front page's "hot" order, in one place so that it can be tested on known data.</summary>
public static class Ranking
{
    /// <summary>
    /// Hacker News style: points plus a little credit for discussion, decaying with age so that new
    /// threads get their chance and old ones sink. (points + comments/5 + 1) / (ageHours + 2)^1.8:
    /// the +1 gives a fresh thread with nothing yet a non-zero score, the +2 keeps the first hours
    /// from dividing by almost nothing, 1.8 is HN's published gravity.
    /// </summary>
    public static double Hot(long points, long comments, DateTimeOffset createdAt, DateTimeOffset now)
    {
        var ageHours = Math.Max(0, (now - createdAt).TotalHours);
        return (Math.Max(0, points) + Math.Max(0, comments) / 5.0 + 1) / Math.Pow(ageHours + 2, 1.8);
    }
}
