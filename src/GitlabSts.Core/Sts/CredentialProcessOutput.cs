using System;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace GitlabSts.Core.Sts
{
    /// <summary>The one-line JSON an AWS credential_process prints (Version 1).</summary>
    public static class CredentialProcessOutput
    {
        public static string Format(ExchangeResult result)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                writer.WriteStartObject();
                writer.WriteNumber("Version", 1);
                writer.WriteString("AccessKeyId", result.AccessKeyId);
                writer.WriteString("SecretAccessKey", result.SecretAccessKey);
                writer.WriteString("SessionToken", result.SessionToken);
                writer.WriteString("Expiration", result.Expiration.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
                writer.WriteEndObject();
            }

            return Encoding.UTF8.GetString(stream.ToArray());
        }
    }
}
