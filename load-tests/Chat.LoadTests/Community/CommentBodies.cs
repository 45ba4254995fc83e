using System.Text;

namespace Chat.LoadTests.Community;

/// <summary>
/// Comment bodies sized like a real discussion: lengths log-normal around the median (σ 0.6: about a
/// tenth under a third of it, a tenth over twice it), at most the maximum, always with the stamp
/// the readers time them by ("lt:{due ticks}:{n} ").
/// </summary>
public static class CommentBodies
{
    private const string Words = "the a thread reply point because which would about their there think people really something other could still after right thing first those even never where much good same while";
    private static readonly string[] Vocabulary = Words.Split(' ');

    public static int Length(Random random, int median, int max)
    {
        // Box-Muller: a standard normal from two uniforms.
        var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return (int)Math.Clamp(Math.Round(median * Math.Exp(0.6 * z)), 40, max);
    }

    public static string Body(long dueTicks, long n, int length, Random random)
    {
        var sb = new StringBuilder($"lt:{dueTicks}:{n}", length + 16);
        while (sb.Length < length) sb.Append(' ').Append(Vocabulary[random.Next(Vocabulary.Length)]);
        return sb.ToString(0, Math.Min(sb.Length, Math.Max(length, sb.ToString().IndexOf(' ', StringComparison.Ordinal))));
    }
}
