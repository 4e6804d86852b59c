using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// Reloads when the config file or a certificate it names changes on disk. It compares file
/// contents rather than trusting events: certbot swaps symlinks in live/, Kubernetes swaps a
/// "..data" link, and some mounts send no events at all, so a slow poll backs the watcher up.
/// Only events that name a watched file (or Kubernetes' "..data" links) count: a busy neighbour in
/// the same directory, such as an access log written on every request, must not keep a change
/// from being noticed; and a change is checked at most <see cref="Settle"/> after its first event,
/// however many follow.
/// </summary>
public sealed class ConfigWatcher : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    private readonly Func<IReadOnlyList<string>> _files;
    private readonly Func<bool> _reload;
    private readonly ILogger _logger;
    private readonly Timer _poll;
    private readonly Timer _debounce;
    private readonly Lock _lock = new();
    private List<FileSystemWatcher> _watchers = [];
    private string _fingerprint;
    private string[] _watchedDirectories = [];
    private HashSet<string> _watchedNames = [];
    private int _checkPending;

    /// <param name="files">The files to watch now (they change with the configuration).</param>
    /// <param name="reload">Loads, validates and swaps in the new configuration.</param>
    public ConfigWatcher(Func<IReadOnlyList<string>> files, Func<bool> reload, TimeSpan pollInterval, ILogger logger)
    {
        _files = files;
        _reload = reload;
        _logger = logger;
        _fingerprint = Fingerprint(files());
        _debounce = new Timer(_ => Check(), null, Timeout.Infinite, Timeout.Infinite);
        _poll = new Timer(_ => Check(), null, pollInterval, pollInterval);
        Rewatch();
    }

    private void Rewatch()
    {
        Volatile.Write(ref _watchedNames, _files().Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal));
        var directories = _files().Select(f => Path.GetDirectoryName(f)!).Where(Directory.Exists).Distinct().Order().ToArray();
        if (directories.SequenceEqual(_watchedDirectories))
        {
            return;
        }

        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        _watchers = directories.Select(directory =>
        {
            var watcher = new FileSystemWatcher(directory) { IncludeSubdirectories = false, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime };
            watcher.Changed += OnEvent;
            watcher.Created += OnEvent;
            watcher.Renamed += OnEvent;
            watcher.Deleted += OnEvent;
            watcher.EnableRaisingEvents = true;
            return watcher;
        }).ToList();
        _watchedDirectories = directories;
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        var names = Volatile.Read(ref _watchedNames);
        var relevant = Names(e).Any(name => name is not null && (names.Contains(name) || name.StartsWith("..", StringComparison.Ordinal)));
        if (relevant && Interlocked.Exchange(ref _checkPending, 1) == 0)
        {
            _debounce.Change(Settle, Timeout.InfiniteTimeSpan);
        }
    }

    private static IEnumerable<string?> Names(FileSystemEventArgs e) =>
        e is RenamedEventArgs renamed ? [renamed.Name, renamed.OldName] : [e.Name];

    private void Check()
    {
        // Cleared before the comparison: an event during the check schedules another one.
        Volatile.Write(ref _checkPending, 0);
        lock (_lock)
        {
            var fingerprint = Fingerprint(_files());
            if (fingerprint == _fingerprint)
            {
                return;
            }

            // Remember what this reload read, whatever its outcome: a rejected file is not retried
            // until it changes again, and a file still being written when it was read (an editor
            // that truncates, then writes) differs from this and is read again on the next event.
            var watched = _files();
            _fingerprint = fingerprint;
            _reload();
            if (!_files().SequenceEqual(watched))
            {
                _fingerprint = Fingerprint(_files());
            }

            Rewatch();
        }
    }

    private static string Fingerprint(IReadOnlyList<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(file));
            try
            {
                hash.AppendData(File.ReadAllBytes(file));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                hash.AppendData([0]);
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    public void Dispose()
    {
        _poll.Dispose();
        _debounce.Dispose();
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }
    }
}
