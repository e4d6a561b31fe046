using ShadowCopy.MySql.Protocol;
using ShadowCopy.MySql.Protocol.Binlog;

namespace ShadowCopy.MySql.Protocol.Tests.Integration;

[Collection(BinlogCollection.Name)]
public sealed class BinlogRowImageIntegrationTests
{
    [Theory]
    [InlineData("MINIMAL")]
    [InlineData("NOBLOB")]
    public async Task ReadEventsAsync_partial_row_images_report_missing_columns_not_null(string rowImage)
    {
        await using var connection = await TestServer.OpenAsync();
        await using var testTable = await TestTable.CreateAsync(connection, "bl_image", "id INT PRIMARY KEY, a INT NULL, b VARCHAR(10) NULL, c BLOB NULL");
        var (table, quoted) = (testTable.Name, testTable.Quoted);
        var start = await connection.CurrentPositionAsync();
        await connection.ExecuteAsync($"SET SESSION binlog_row_image = '{rowImage}'");
        await connection.ExecuteAsync($"INSERT INTO {quoted} VALUES (1, NULL, 'x', X'0102')");
        await connection.ExecuteAsync($"UPDATE {quoted} SET a = 5 WHERE id = 1");
        await connection.ExecuteAsync($"DELETE FROM {quoted} WHERE id = 1");

        var client = new BinlogClient(TestServer.Settings, new BinlogOptions { StopAtEnd = true, ServerId = TestServer.NewReplicaServerId() });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = new List<RowsEvent>();
        await foreach (var e in client.ReadEventsAsync(start, timeout.Token))
        {
            if (e is RowsEvent rows && rows.Table.TableName == table)
            {
                events.Add(rows);
            }
        }

        var update = Assert.Single(events.OfType<UpdateRowsEvent>()).Rows[0];
        var delete = Assert.Single(events.OfType<DeleteRowsEvent>()).Rows[0];
        Assert.Equal(1, update.Before![0] is int id ? id : -1);
        Assert.Equal(5, update.After![1]);
        // The BLOB was not changed: both images leave it out, which must not read as NULL.
        Assert.False(update.Before.IsPresent(3));
        Assert.Same(BinlogMissingValue.Instance, update.After[3]);
        Assert.False(delete.Before!.IsPresent(3));
        if (rowImage == "MINIMAL")
        {
            Assert.False(update.Before.IsPresent(1));
            Assert.Same(BinlogMissingValue.Instance, update.Before[2]);
            Assert.False(update.After.IsPresent(2));
            Assert.False(delete.Before.IsPresent(1));
        }
        else
        {
            Assert.True(update.Before.IsNull(1));
            Assert.Equal(new byte[] { (byte)'x' }, update.After[2]);
        }
    }
}
