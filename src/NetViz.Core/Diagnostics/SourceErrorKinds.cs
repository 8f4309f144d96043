using System.Net.Sockets;
using Docker.DotNet;

namespace NetViz.Core.Diagnostics;

/// <summary>
/// A small, fixed vocabulary for why a source failed: the <c>error.type</c> attribute of the metrics and the words the
/// readiness check uses. Fixed words, never the source's own message, because messages carry paths and names and
/// would make the health endpoints reveal more than a status (and the metrics unbounded).
/// </summary>
public static class SourceErrorKinds
{
    public const string Unreachable = "unreachable";
    public const string PermissionDenied = "permission_denied";
    public const string Timeout = "timeout";
    public const string ApiError = "api_error";
    public const string NotFound = "not_found";
    public const string ExitCode = "exit_code";
    public const string Unreadable = "unreadable";
    public const string StreamLost = "stream_lost";
    public const string Other = "other";

    /// <summary>Classifies <see cref="Sources.DockerView.Error"/> as DockerEngineSource words it (after the docker CLI).</summary>
    public static string OfDockerError(string? error) => error switch
    {
        null or "" => Other,
        _ when error.Contains("Permission denied", StringComparison.Ordinal) => PermissionDenied,
        _ when error.Contains("and responsive?", StringComparison.Ordinal) => Timeout,
        _ when error.Contains("Is dockerd running?", StringComparison.Ordinal) => Unreachable,
        _ when error.Contains(" answered ", StringComparison.Ordinal) => ApiError,
        _ => Other,
    };

    /// <summary>Classifies <see cref="Sources.NatView.Error"/> as IptablesNatSource words it.</summary>
    public static string OfNatError(string? error) => error switch
    {
        null or "" => Other,
        _ when error.Contains("not found", StringComparison.Ordinal) => NotFound,
        _ when error.Contains("Permission denied", StringComparison.OrdinalIgnoreCase) => PermissionDenied,
        _ when error.Contains("did not finish within", StringComparison.Ordinal) => Timeout,
        _ when error.Contains("exited with code", StringComparison.Ordinal) => ExitCode,
        _ => Other,
    };

    /// <summary>Classifies an exception a source threw.</summary>
    public static string OfException(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SocketException { SocketErrorCode: SocketError.AccessDenied }:
                case UnauthorizedAccessException:
                    return PermissionDenied;
                case SocketException:
                case HttpRequestException:
                    return Unreachable;
                case TimeoutException:
                    return Timeout;
                case DockerApiException:
                    return ApiError;
            }
        }
        return Other;
    }

    /// <summary>The words a health check says for a kind: "engine unreachable" and the like.</summary>
    public static string Describe(string kind) => kind switch
    {
        Unreachable => "unreachable",
        PermissionDenied => "permission denied",
        Timeout => "timed out",
        ApiError => "answered with an error",
        NotFound => "tool not installed",
        ExitCode => "tool failed",
        Unreadable => "host namespace unreadable",
        StreamLost => "event stream lost",
        _ => "failed",
    };
}
