using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Chat.Grains.Search;

public static class SearchSiloExtensions
{
    /// <summary>The search engine (Lucene.Net unless a host registered another) and its options.</summary>
    public static IServiceCollection AddChatSearch(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddChatOptions<SearchOptions, SearchOptionsValidator>(configuration, SearchOptions.Section);
        services.TryAddSingleton<ISearchEngine, LuceneSearchEngine>();
        services.TryAddSingleton<SearchMetrics>();
        return services;
    }
}
