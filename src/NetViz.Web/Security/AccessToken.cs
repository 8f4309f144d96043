using System.Security.Cryptography;
using System.Text;

namespace NetViz.Web.Security;

/// <summary>
/// The secret that opens the dashboard: configured (<c>NetViz:AuthToken</c>) or 128 random bits per start.
/// Compared in constant time over SHA-256 digests, so neither its bytes nor its length leak through timing.
/// </summary>
public sealed class AccessToken
{
    public const int MinimumLength = 16;

    /// <summary>Longest token text considered at all (a guess longer than this is wrong without hashing it).</summary>
    public const int MaximumLength = 1024;

    private readonly byte[] _digest;

    public AccessToken(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            Value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            IsGenerated = true;
        }
        else
        {
            Value = configured.Trim();
            if (Value.Length is < MinimumLength or > MaximumLength)
                throw new InvalidOperationException(
                    $"NetViz:AuthToken must be {MinimumLength} to {MaximumLength} characters long; leave it empty for a random token per start.");
        }
        _digest = SHA256.HashData(Encoding.UTF8.GetBytes(Value));
        // Identifies the token in the login cookie without revealing it: a cookie from a start with another token fails.
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("netviz-cookie:" + Value)).AsSpan(0, 16));
    }

    /// <summary>The token text (printed in the login URL when generated).</summary>
    public string Value { get; }

    /// <summary>True when random per start (then printed at start); false when configured (never printed).</summary>
    public bool IsGenerated { get; }

    /// <summary>A one-way id of the token, kept in the cookie.</summary>
    public string Fingerprint { get; }

    public bool Matches(string? candidate)
    {
        if (string.IsNullOrEmpty(candidate) || candidate.Length > MaximumLength) return false;
        return CryptographicOperations.FixedTimeEquals(_digest, SHA256.HashData(Encoding.UTF8.GetBytes(candidate.Trim())));
    }
}
