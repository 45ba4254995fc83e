using System.Xml.Linq;
using Azure;
using Azure.Data.Tables;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Chat.Web.Auth;

/// <summary>
/// Keeps ASP.NET Core data-protection keys in an Azure Table, so that a cookie or bearer token
/// issued by one web node is readable by every other node, and survives restarts and rollouts.
/// (The framework ships blob and file-system repositories, not a table one; this is the whole of it.)
/// </summary>
public sealed class TableXmlRepository(TableClient table) : IXmlRepository
{
    public const string TableName = "dataprotectionkeys";
    private const string Partition = "keys";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        table.CreateIfNotExists();
        return table.Query<TableEntity>(e => e.PartitionKey == Partition)
            .Select(e => XElement.Parse(e.GetString("Xml")))
            .ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        table.CreateIfNotExists();
        var entity = new TableEntity(Partition, friendlyName) { ["Xml"] = element.ToString(SaveOptions.DisableFormatting) };
        try
        {
            table.AddEntity(entity);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Another node stored a key with this name first: keys are immutable, keep theirs.
        }
    }
}
