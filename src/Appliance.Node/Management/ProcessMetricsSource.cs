using System.Diagnostics;
using Appliance.Management.Metrics;
using Appliance.Management.Sources;

namespace Appliance.Node.Management;

/// <summary>
/// The process as Prometheus' conventional <c>process_*</c> metrics name it (resident memory,
/// CPU, descriptors), plus the .NET runtime's: managed heap, allocations, collections, thread pool.
/// Memory bounds in benchmarks and fault tests are read from here and from /proc alike.
/// </summary>
internal sealed class ProcessMetricsSource : IMetricsSource
{
    private static readonly string[] Generations = ["0", "1", "2"];

    public void Write(PrometheusWriter w)
    {
        using var process = Process.GetCurrentProcess();
        w.Gauge("process_resident_memory_bytes", "Resident memory of the daemon, in bytes.");
        w.Sample("process_resident_memory_bytes", process.WorkingSet64);
        w.Counter("process_cpu_seconds_total", "CPU time used by the daemon (user and system), in seconds.");
        w.Sample("process_cpu_seconds_total", process.TotalProcessorTime.TotalSeconds);
        if (OpenDescriptors() is { } open)
        {
            w.Gauge("process_open_fds", "File descriptors the daemon holds open (sockets included).");
            w.Sample("process_open_fds", open);
        }

        var gc = GC.GetGCMemoryInfo();
        w.Gauge("dotnet_gc_heap_size_bytes", "Managed heap size after the last collection, in bytes.");
        w.Sample("dotnet_gc_heap_size_bytes", gc.HeapSizeBytes);
        w.Gauge("dotnet_gc_committed_bytes", "Memory the garbage collector has committed, in bytes.");
        w.Sample("dotnet_gc_committed_bytes", gc.TotalCommittedBytes);
        w.Counter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since start.");
        w.Sample("dotnet_gc_allocated_bytes_total", GC.GetTotalAllocatedBytes());
        w.Counter("dotnet_gc_collections_total", "Garbage collections since start, by generation.");
        for (var g = 0; g < Generations.Length; g++)
        {
            w.Sample("dotnet_gc_collections_total", GC.CollectionCount(g), ("generation", Generations[g]));
        }

        w.Gauge("dotnet_threadpool_threads", "Thread-pool threads now.");
        w.Sample("dotnet_threadpool_threads", ThreadPool.ThreadCount);
        w.Gauge("dotnet_threadpool_queue_length", "Work items waiting for a thread-pool thread.");
        w.Sample("dotnet_threadpool_queue_length", ThreadPool.PendingWorkItemCount);
    }

    private static int? OpenDescriptors()
    {
        try
        {
            return Directory.Exists("/proc/self/fd") ? Directory.EnumerateFileSystemEntries("/proc/self/fd").Count() : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
