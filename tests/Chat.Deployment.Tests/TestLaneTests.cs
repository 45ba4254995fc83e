using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Chat.Deployment.Tests;

/// <summary>
/// Every test class of the solution says which lane it runs in (`./test.sh --fast`, `--lane X`):
/// exactly one <c>[Trait("Lane", Lanes.X)]</c>. A class without one would silently drop out of every
/// lane but the full run. Reads the built test assemblies' metadata (tests/*/bin/&lt;configuration&gt;),
/// without loading them, so a project added later is checked as soon as it is built.
/// </summary>
[Trait("Lane", Lanes.Pure)]
public sealed class TestLaneTests
{
    /// <summary>The test projects: folders under tests/ whose project references the test SDK.</summary>
    public static TheoryData<string> TestProjects() => new(ProjectNames());

    private static List<string> ProjectNames() =>
        Directory.GetFiles(Path.Combine(RepoPaths.Root, "tests"), "*.csproj", SearchOption.AllDirectories)
            .Where(csproj => File.ReadAllText(csproj).Contains("\"Microsoft.NET.Test.Sdk\"", StringComparison.Ordinal))
            .Select(Path.GetFileNameWithoutExtension)
            .Select(name => name!)
            .Order(StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void The_test_projects_are_found()
    {
        var projects = ProjectNames();
        Assert.Contains("Chat.Deployment.Tests", projects);
        Assert.Contains("Chat.Web.Tests", projects);
        Assert.DoesNotContain("Chat.TestSupport", projects);
    }

    [Theory]
    [MemberData(nameof(TestProjects))]
    public void Every_test_class_has_exactly_one_lane(string project)
    {
        var classes = TestClasses(AssemblyOf(project));
        Assert.NotEmpty(classes);
        var wrong = classes
            .Select(c => (c.Name, Lanes: c.Traits.Where(t => t.Name == Lanes.Trait).Select(t => t.Value).ToList()))
            .Where(c => c.Lanes.Count != 1 || !Lanes.All.Contains(c.Lanes[0]))
            .Select(c => $"{c.Name}: {(c.Lanes.Count == 0 ? "no lane" : "lanes " + string.Join(", ", c.Lanes))}")
            .ToList();
        Assert.True(wrong.Count == 0,
            $"{project}: each test class needs exactly one [Trait(\"Lane\", Lanes.X)] with X one of {string.Join(", ", Lanes.All)} " +
            $"(tests/Chat.TestSupport/Lanes.cs says which):\n  {string.Join("\n  ", wrong)}");
    }

    [Theory]
    [MemberData(nameof(TestProjects))]
    public void The_slow_trait_says_true(string project)
    {
        var wrong = TestClasses(AssemblyOf(project))
            .Where(c => c.Traits.Any(t => t.Name == Lanes.Slow && t.Value != "true"))
            .Select(c => c.Name)
            .ToList();
        Assert.True(wrong.Count == 0, $"{project}: [Trait(\"Slow\", ...)] takes \"true\" only (the filter is Slow!=true): {string.Join(", ", wrong)}");
    }

    /// <summary>The project's assembly, built in the configuration this one was (bin/Release/net10.0).</summary>
    private static string AssemblyOf(string project)
    {
        // .../tests/Chat.Deployment.Tests/bin/Release/net10.0/ -> bin/Release/net10.0
        var own = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
        var output = Path.GetRelativePath(Path.Combine(RepoPaths.Root, "tests", "Chat.Deployment.Tests"), own);
        var path = Path.Combine(RepoPaths.Root, "tests", project, output, project + ".dll");
        Assert.True(File.Exists(path), $"{path} is missing: build the solution first (dotnet build Cluster.sln -c Release)");
        return path;
    }

    private sealed record TestClass(string Name, List<(string Name, string Value)> Traits);

    /// <summary>Non-abstract classes with a method marked [Fact], [Theory] or an attribute derived from them.</summary>
    private static List<TestClass> TestClasses(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var result = new List<TestClass>();
        foreach (var handle in reader.TypeDefinitions)
        {
            var type = reader.GetTypeDefinition(handle);
            if ((type.Attributes & System.Reflection.TypeAttributes.Abstract) != 0 && (type.Attributes & System.Reflection.TypeAttributes.Sealed) == 0) continue;
            var isTestClass = type.GetMethods().Any(m => reader.GetMethodDefinition(m).GetCustomAttributes()
                .Any(a => IsFact(reader, AttributeType(reader, reader.GetCustomAttribute(a)))));
            if (!isTestClass) continue;
            var traits = type.GetCustomAttributes()
                .Select(reader.GetCustomAttribute)
                .Where(a => AttributeType(reader, a) is { } t && FullName(reader, t) == "Xunit.TraitAttribute")
                .Select(a => TraitOf(reader, a))
                .ToList();
            result.Add(new TestClass(TypeName(reader, type), traits));
        }
        return result;
    }

    private static EntityHandle? AttributeType(MetadataReader reader, CustomAttribute attribute) => attribute.Constructor.Kind switch
    {
        HandleKind.MemberReference => reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent,
        HandleKind.MethodDefinition => reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType(),
        _ => null,
    };

    /// <summary>Xunit's FactAttribute or TheoryAttribute, or an attribute of this assembly derived from one.</summary>
    private static bool IsFact(MetadataReader reader, EntityHandle? type)
    {
        for (var depth = 0; type is { } t && !t.IsNil && depth < 10; depth++)
        {
            if (FullName(reader, t) is "Xunit.FactAttribute" or "Xunit.TheoryAttribute") return true;
            type = t.Kind == HandleKind.TypeDefinition ? reader.GetTypeDefinition((TypeDefinitionHandle)t).BaseType : null;
        }
        return false;
    }

    private static string FullName(MetadataReader reader, EntityHandle type) => type.Kind switch
    {
        HandleKind.TypeReference => reader.GetString(reader.GetTypeReference((TypeReferenceHandle)type).Namespace) + "." +
                                    reader.GetString(reader.GetTypeReference((TypeReferenceHandle)type).Name),
        HandleKind.TypeDefinition => TypeName(reader, reader.GetTypeDefinition((TypeDefinitionHandle)type)),
        _ => "",
    };

    private static string TypeName(MetadataReader reader, TypeDefinition type)
    {
        var declaring = type.GetDeclaringType();
        return declaring.IsNil
            ? reader.GetString(type.Namespace) + "." + reader.GetString(type.Name)
            : TypeName(reader, reader.GetTypeDefinition(declaring)) + "+" + reader.GetString(type.Name);
    }

    /// <summary>TraitAttribute(string name, string value): the blob is the prolog (0x0001) and two serialized strings.</summary>
    private static (string Name, string Value) TraitOf(MetadataReader reader, CustomAttribute attribute)
    {
        var blob = reader.GetBlobReader(attribute.Value);
        Assert.Equal(1, blob.ReadUInt16());
        return (blob.ReadSerializedString() ?? "", blob.ReadSerializedString() ?? "");
    }
}
