using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Portcullis.Proxy.Hosting;

/// <summary>
/// Reloads when the config file or a certificate it names changes on disk. It compares file
/// contents rather than trusting events: certbot swaps symlinks in live/, Kubernetes swaps a
/// "..data" link, and some mounts send no events at all, so a slow poll backs the watcher up.
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

    private void OnEvent(object sender, FileSystemEventArgs e) => _debounce.Change(Settle, Timeout.InfiniteTimeSpan);

    private void Check()
    {
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
            _logger.LogInformation("a watched file changed; reloading");
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
