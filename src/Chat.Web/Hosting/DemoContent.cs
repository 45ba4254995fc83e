namespace Chat.Web.Hosting;

/// <summary>
/// Gives a fresh install something to look at: one thread with a few dozen nested comments, written
/// for this project, created only when the front page is empty. Off in tests ("Chat:SeedDemo").
/// </summary>
public sealed class DemoContent(IGrainFactory grains, IHostApplicationLifetime lifetime, Microsoft.Extensions.Options.IOptions<ChatWebOptions> options, ILogger<DemoContent> logger) : IHostedService
{
    public const string Author = "chat-team";

    private static readonly (int Parent, string Author, string Body)[] Comments =
    [
        (0, "ada", "First! More seriously: the thing I like is that every comment gets a sequence number. A page that drops off the network can ask for \"everything after 41\" and be exactly up to date."),
        (1, "grace", "That's the Centrifugo trick, but on a durable log instead of a Redis stream. Nice."),
        (2, "ada", "Right, and because the log is the truth, a crashed silo doesn't lose the recovery position either."),
        (1, "linus", "How is the order decided when two people post at the same moment?"),
        (4, "ada", "The thread grain decides. Orleans guarantees one activation per thread, so there is exactly one place that hands out seqs."),
        (5, "linus", "> one place that hands out seqs\n\nSo the grain is the bottleneck for a hot thread?"),
        (6, "barbara", "It batches. Posts that arrive while a write is in flight go together into the next table transaction, up to 100 at a time. Azurite does ~1,500 single inserts/s but ~10,000 rows/s in batches."),
        (7, "linus", "Group commit, like a database log. OK, that I believe."),
        (0, "margaret", "Try opening this page in two windows and replying in one. The other updates without a reload."),
        (9, "edsger", "Works. Replies land under the right parent too."),
        (10, "margaret", "Each web node subscribes once per thread, not once per reader, so ten thousand readers on one node cost the grain one message per batch."),
        (11, "edsger", "Same idea as Discord's guild processes sending once per remote node."),
        (12, "barbara", "And if a batch notification is lost, the node notices the gap in seqs and fetches what is missing before it sends anything on."),
        (0, "alan", "What happens to formatting? Can I use *markdown*?"),
        (14, "grace", "Plain text, HN style. Blank lines make paragraphs, lines starting with \"> \" are quotes, and links like https://learn.microsoft.com/dotnet/orleans/ become clickable."),
        (15, "alan", "<b>So this stays literal?</b>"),
        (16, "grace", "Yes, it's shown as text, never as HTML. Bodies are stored verbatim and rendered with textContent."),
        (0, "barbara", "Operators: a silo can be killed with -9 and nothing acknowledged is lost. A post is acknowledged only after its batch is in the comments table."),
        (18, "linus", "And the retry after the crash? Won't I get the comment twice?"),
        (19, "barbara", "Every post carries a clientId. Retrying with the same one returns the first post's seq and stores nothing new."),
        (20, "linus", "Idempotency keys. Good."),
        (18, "ken", "What's the storage layout?"),
        (22, "barbara", "One row per comment: PartitionKey is the thread id, RowKey the seq padded to 19 digits, so a range query reads a thread in order."),
        (23, "ken", "And grain state?"),
        (24, "barbara", "Only metadata: title, author, counts. Grain state in table storage tops out around 1 MB, so comments could never live there."),
        (0, "edsger", "Feature request: collapse threads like HN's [-]."),
        (26, "margaret", "On the list, along with votes and a hot ranking."),
        (0, "alan", "How many readers can one thread take?"),
        (28, "grace", "Load tests are part of the repo; they compare against plain SignalR and SignalR with a Redis backplane on the same machine."),
        (29, "alan", "Looking forward to the numbers."),
    ];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SeedDemo) return Task.CompletedTask;
        // After start-up, when the silo has joined the cluster and grains can be called.
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(SeedAsync));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SeedAsync()
    {
        try
        {
            if ((await grains.GetGrain<IFrontPageGrain>(0).GetThreads(1)).Length > 0) return;
            var threadId = Limits.NewThreadId();
            var thread = grains.GetGrain<IThreadGrain>(threadId);
            await thread.Create(new NewThread("Welcome: a live discussion on Orleans", null,
                "This thread was created because the site was empty. Open it in two windows and reply: comments appear everywhere at once.", Author));
            for (var i = 0; i < Comments.Length; i++)
            {
                var (parent, author, body) = Comments[i];
                await thread.Post(new NewComment(parent, author, body, $"demo-{i + 1}"));
            }
            logger.LogInformation("Created the demo thread at /t/{ThreadId}", threadId);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Creating the demo thread failed");
        }
    }
}

public static class DemoContentExtensions
{
    public static WebApplicationBuilder AddChatDemoContent(this WebApplicationBuilder builder)
    {
        builder.Services.AddHostedService<DemoContent>();
        return builder;
    }
}
