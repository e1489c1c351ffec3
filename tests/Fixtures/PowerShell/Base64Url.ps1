# Dot-sourced by ../GitlabSts.TestFixtures.psm1 (runs in its script scope): base64url (RFC 4648 §5) text of bytes and back.

function ConvertTo-Base64Url {
    <# .SYNOPSIS Base64url (RFC 4648 §5, no padding) of bytes or of a string's UTF-8 bytes. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory, ValueFromPipeline)][AllowEmptyString()][object] $InputObject)
    process {
        $bytes = if ($InputObject -is [byte[]]) { $InputObject } else { [Text.Encoding]::UTF8.GetBytes([string]$InputObject) }
        [Convert]::ToBase64String($bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')
    }
}

function ConvertFrom-Base64Url {
    <# .SYNOPSIS Bytes of a base64url string (padding optional). Throws on invalid input. #>
    [CmdletBinding()]
    [OutputType([byte[]])]
    param([Parameter(Mandatory, ValueFromPipeline)][AllowEmptyString()][string] $InputObject)
    process {
        $s = $InputObject.Replace('-', '+').Replace('_', '/')
        switch ($s.Length % 4) { 2 { $s += '==' } 3 { $s += '=' } 1 { throw "Invalid base64url length: $($InputObject.Length)" } }
        , [Convert]::FromBase64String($s)
    }
}
