namespace Chat.TestSupport;

/// <summary>
/// Settings every test host gets unless a test says otherwise. Abuse limits are raised because
/// tests post far faster than people (a few tests lower them again to check the limits work).
/// </summary>
public static class TestSettings
{
    /// <summary>
    /// A configured moderator (Chat:Moderators) on every test site, so that tests need not depend on
    /// who registered first. Sign in as it with <see cref="ChatApiClient.SignedInAsync"/>.
    /// </summary>
    public const string ModeratorName = "moderator";

    /// <summary>A second configured moderator: for what every moderator must see (the live /mod queue).</summary>
    public const string SecondModeratorName = "moderator2";

    public static readonly IReadOnlyDictionary<string, string> Defaults = new Dictionary<string, string>
    {
        ["Chat:SeedDemo"] = "false",
        ["Chat:Moderators:0"] = ModeratorName,
        ["Chat:Moderators:1"] = SecondModeratorName,
        ["Chat:Limits:PostsPerSecondPerUser"] = "10000",
        ["Chat:Limits:PostBurstPerUser"] = "10000",
        ["Chat:Limits:HubInvocationsPerSecond"] = "10000",
        ["Chat:Limits:HubInvocationBurst"] = "10000",
        ["Chat:Limits:AuthRequestsPerIpPerMinute"] = "10000",
        ["Chat:Limits:SearchesPerIpPerMinute"] = "10000",
        // Test hosts are often stopped with clients still connected that never leave (a fixture's
        // readers): the drain would wait its whole 10 s for them. Tests of the drain set their own.
        ["Chat:Web:DrainTimeout"] = "00:00:02",
    };
}
