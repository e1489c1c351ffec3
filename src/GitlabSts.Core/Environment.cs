using System;
using System.Collections;
using System.Collections.Generic;

namespace GitlabSts.Core
{
    /// <summary>Read access to environment variables, so discovery and defaults are testable without the process environment.</summary>
    public interface IEnvironmentReader
    {
        string? Get(string name);

        IEnumerable<KeyValuePair<string, string>> All();
    }

    /// <summary>Messages the core wants shown; the cmdlet layer routes them to the verbose, warning and debug streams.</summary>
    public interface ICoreLog
    {
        void Verbose(string message);

        void Warning(string message);

        void Debug(string message);
    }

    public sealed class ProcessEnvironment : IEnvironmentReader
    {
        public static readonly ProcessEnvironment Instance = new ProcessEnvironment();

        public string? Get(string name)
        {
            string? value = System.Environment.GetEnvironmentVariable(name);
            return string.IsNullOrEmpty(value) ? null : value;
        }

        public IEnumerable<KeyValuePair<string, string>> All()
        {
            foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
            {
                if (entry.Key is string key && entry.Value is string value)
                {
                    yield return new KeyValuePair<string, string>(key, value);
                }
            }
        }
    }

    /// <summary>An environment made from a dictionary (tests, and callers that pass a snapshot).</summary>
    public sealed class DictionaryEnvironment : IEnvironmentReader
    {
        private readonly IDictionary<string, string> _values;

        public DictionaryEnvironment(IDictionary<string, string>? values = null)
        {
            _values = new Dictionary<string, string>(values ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        }

        public string? Get(string name) => _values.TryGetValue(name, out string? v) && !string.IsNullOrEmpty(v) ? v : null;

        public IEnumerable<KeyValuePair<string, string>> All() => _values;
    }

    public sealed class NullLog : ICoreLog
    {
        public static readonly NullLog Instance = new NullLog();

        public void Verbose(string message) { }

        public void Warning(string message) { }

        public void Debug(string message) { }
    }
}
