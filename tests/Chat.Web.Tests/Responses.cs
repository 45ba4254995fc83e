using System.Net.Http.Json;
using System.Text.Json;

namespace Chat.Web.Tests;

/// <summary>What the tests read from an API answer (imported into every test file by GlobalUsings).</summary>
internal static class Responses
{
    /// <summary>The body of an answer that must have succeeded; if it did not, the failure shows its status and body.</summary>
    public static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A refusal's problem detail: the sentence the user reads.</summary>
    public static async Task<string> DetailOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
}
