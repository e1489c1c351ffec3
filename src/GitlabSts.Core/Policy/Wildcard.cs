using System;

namespace GitlabSts.Core.Policy
{
    /// <summary>IAM glob matching: <c>*</c> = any run of characters (also none), <c>?</c> = exactly one.</summary>
    internal static class Wildcard
    {
        /// <param name="pattern">characters of the pattern</param>
        /// <param name="isWild">per character: true when it is a wildcard (false for an escaped literal <c>${*}</c>)</param>
        internal static bool Match(string text, string pattern, bool[] isWild, bool ignoreCase)
        {
            int t = 0, p = 0, starP = -1, starT = 0;
            while (t < text.Length)
            {
                if (p < pattern.Length && isWild[p] && pattern[p] == '*')
                {
                    starP = p++;
                    starT = t;
                }
                else if (p < pattern.Length && ((isWild[p] && pattern[p] == '?') || CharEq(text[t], pattern[p], ignoreCase)))
                {
                    t++;
                    p++;
                }
                else if (starP >= 0)
                {
                    p = starP + 1;
                    t = ++starT;
                }
                else
                {
                    return false;
                }
            }
            while (p < pattern.Length && isWild[p] && pattern[p] == '*') p++;
            return p == pattern.Length;
        }

        /// <summary>Plain glob where every <c>*</c>/<c>?</c> is a wildcard (e.g. actions).</summary>
        internal static bool Match(string text, string pattern, bool ignoreCase)
        {
            var wild = new bool[pattern.Length];
            for (int i = 0; i < pattern.Length; i++) wild[i] = pattern[i] == '*' || pattern[i] == '?';
            return Match(text, pattern, wild, ignoreCase);
        }

        private static bool CharEq(char a, char b, bool ignoreCase) =>
            a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));
    }
}
