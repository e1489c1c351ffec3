using System;
using System.Threading;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace GitlabSts.Core.Sts
{
    /// <summary>STS GetCallerIdentity, signed with temporary credentials.</summary>
    public sealed class CallerIdentity
    {
        public CallerIdentity(string account, string arn, string userId)
        {
            Account = account;
            Arn = arn;
            UserId = userId;
        }

        public string Account { get; }

        public string Arn { get; }

        public string UserId { get; }

        public static CallerIdentity Get(ExchangeResult credentials, CancellationToken cancel)
        {
            ExchangeRequest request = credentials.Request;
            using AmazonSecurityTokenServiceClient client = StsClientFactory.WithCredentials(
                credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken, request.Region, request.Endpoint);
            try
            {
                GetCallerIdentityResponse response = client.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancel).GetAwaiter().GetResult();
                return new CallerIdentity(response.Account, response.Arn, response.UserId);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                StsFailure failure = StsFailure.Classify(e);
                throw new GitlabStsException(failure.ErrorId == ErrorIds.NetworkError ? ErrorIds.NetworkError : ErrorIds.StsError, failure.Kind,
                    $"STS GetCallerIdentity with the new credentials failed ({failure.Code}: {Redactor.Redact(failure.Detail, new[] { credentials.SecretAccessKey, credentials.SessionToken })}).",
                    credentials.Role.Value) { StsErrorCode = failure.Code };
            }
        }
    }
}
