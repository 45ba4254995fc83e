using System.Net.Http.Json;
using Chat.Import;
using Spectre.Console;
using static Chat.Web.Tests.Importing;

namespace Chat.Web.Tests;

/// <summary>
/// The Chat.Import command: signs in as a moderator, posts the file, reports; a wrong password or missing option fails with its exit code.
/// </summary>
[Collection(ImportCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class ImportCommandTests(ImportSite fixture)
{
    [Fact]
    public async Task The_import_command_signs_in_as_a_moderator_posts_the_file_and_reports()
    {
        const string password = "import command password";
        using (var anonymous = ChatApiClient.Anonymous(fixture.BaseAddress))
            (await anonymous.Http.PostAsJsonAsync("/api/auth/register", new { userName = ImportSite.CommandModeratorName, password })).EnsureSuccessStatusCode();
        var storyId = NewStoryId();
        var file = Path.Combine(Path.GetTempPath(), $"hn-{storyId}.json");
        await File.WriteAllTextAsync(file, HnJson(Story(storyId)));
        try
        {
            var (exit, output) = await RunCommand(["--file", file, "--user", ImportSite.CommandModeratorName, "--url", fixture.BaseAddress.ToString()], password);

            Assert.True(exit == 0, output);
            Assert.Contains($"hn{storyId:D10}", output);
            Assert.Contains("5/5 comments", output);
            Assert.Equal(5, (await fixture.Moderator.GetCommentsAsync($"hn{storyId:D10}")).Length);

            var (wrongPasswordExit, wrongPasswordOutput) = await RunCommand(["--file", file, "--user", ImportSite.CommandModeratorName, "--url", fixture.BaseAddress.ToString()], "not the password");
            Assert.Equal(1, wrongPasswordExit);
            Assert.Contains("Sign-in refused: 401", wrongPasswordOutput);
            var (usageExit, usageOutput) = await RunCommand(["--file", file], password);
            Assert.Equal(2, usageExit);
            Assert.Contains("--user is required", usageOutput);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(int Exit, string Output)> RunCommand(string[] args, string password)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        var exit = await ImportTool.RunAsync(args, console, name => name == ImportTool.PasswordVariable ? password : null);
        return (exit, output.ToString());
    }
}
