# Dot-sourced by ../GitlabSts.TestFixtures.psm1 (runs in its script scope): the Python server processes (start, readiness, lifeline, stop), free ports, control calls.

function Get-FixturePython {
    if ($env:GITLABSTS_TEST_PYTHON) { return $env:GITLABSTS_TEST_PYTHON }
    foreach ($name in 'python3', 'python') {
        $cmd = Get-Command $name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($cmd) { return $cmd.Source }
    }
    throw 'GitlabSts fixtures: no python3 found (set $env:GITLABSTS_TEST_PYTHON).'
}

function Get-FixtureMaxLifetime([int] $Requested) {
    if ($Requested -gt 0) { return $Requested }
    if ($env:GITLABSTS_FIXTURE_MAX_LIFETIME) { return [int]$env:GITLABSTS_FIXTURE_MAX_LIFETIME }
    return 1800
}

function Get-FreeTcpPort {
    <#
    .SYNOPSIS Returns a TCP port that is free on 127.0.0.1 right now (bind to port 0, read it, release it).
    .NOTES The servers below bind port 0 themselves (no race); this is for callers that need a port number,
           e.g. an "unreachable endpoint" test (nothing listens there).
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param()
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    try {
        $listener.Start()
        return ([System.Net.IPEndPoint]$listener.LocalEndpoint).Port
    }
    finally { $listener.Stop() }
}

function Test-TcpPortOpen([int] $Port, [int] $TimeoutMs = 250) {
    $client = [System.Net.Sockets.TcpClient]::new()
    try {
        $task = $client.ConnectAsync([System.Net.IPAddress]::Loopback, $Port)
        return ($task.Wait($TimeoutMs) -and $client.Connected)
    }
    catch { return $false }
    finally { $client.Dispose() }
}

function Start-FixtureProcess {
    # Starts one of the Python servers; returns @{ Process; Port; LogFile; WorkDir } once it listens.
    param(
        [Parameter(Mandatory)][string] $Name,
        [Parameter(Mandatory)][string] $Script,
        [string[]] $Arguments = @(),
        [int] $TimeoutSeconds = 30,
        [int] $MaxLifetimeSeconds = 0,
        [string] $WorkDir
    )
    if (-not $WorkDir) {
        $WorkDir = Join-Path ([IO.Path]::GetTempPath()) ("gitlabsts-$Name-" + [guid]::NewGuid().ToString('N').Substring(0, 12))
        $null = New-Item -ItemType Directory -Path $WorkDir -Force
    }
    $ready = Join-Path $WorkDir 'ready'
    $log = Join-Path $WorkDir 'server.log'

    $psi = [System.Diagnostics.ProcessStartInfo]::new((Get-FixturePython))
    $psi.UseShellExecute = $false
    $psi.RedirectStandardInput = $true     # our end of this pipe is the server's lifeline
    $psi.RedirectStandardOutput = $false   # the server writes to its log file, never to our console
    $psi.RedirectStandardError = $false
    $psi.WorkingDirectory = $WorkDir
    $psi.Environment['PYTHONDONTWRITEBYTECODE'] = '1'
    $psi.Environment['PYTHONUNBUFFERED'] = '1'
    foreach ($a in @('-u', (Join-Path $script:FixtureRoot $Script)) + $Arguments +
        @('--ready-file', $ready, '--log-file', $log, '--cleanup-dir', $WorkDir,
            '--max-lifetime', [string](Get-FixtureMaxLifetime $MaxLifetimeSeconds))) {
        $psi.ArgumentList.Add([string]$a)
    }

    $proc = [System.Diagnostics.Process]::Start($psi)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $port = 0
    while ([DateTime]::UtcNow -lt $deadline) {
        if (Test-Path -LiteralPath $ready) {
            $text = (Get-Content -LiteralPath $ready -Raw -ErrorAction SilentlyContinue)
            if ($text -and [int]::TryParse($text.Trim(), [ref]$port) -and $port -gt 0) { break }
        }
        if ($proc.HasExited) { break }
        Start-Sleep -Milliseconds 50
    }
    if ($port -le 0 -or $proc.HasExited) {
        $why = if ($proc.HasExited) { "exited with code $($proc.ExitCode)" } else { "not listening after $TimeoutSeconds s" }
        $logText = if (Test-Path -LiteralPath $log) { (Get-Content -LiteralPath $log -Raw) } else { '(no log)' }
        Stop-FixtureProcess -Process $proc
        throw "GitlabSts fixture '$Name' failed to start: $why. Server log ($log):`n$logText"
    }
    $info = [pscustomobject]@{ Name = $Name; Process = $proc; Port = $port; LogFile = $log; WorkDir = $WorkDir }
    $script:Started.Add($info)
    return $info
}

function Stop-FixtureProcess {
    param([System.Diagnostics.Process] $Process, [string] $WorkDir, [int] $GraceMs = 3000)
    if ($Process) {
        try {
            if (-not $Process.HasExited) {
                try { $Process.StandardInput.Close() } catch { }   # the polite way: server sees EOF and exits
                if (-not $Process.WaitForExit($GraceMs)) { $Process.Kill($true); $null = $Process.WaitForExit(5000) }
            }
        }
        catch [System.InvalidOperationException] { }   # never started / already disposed
    }
    for ($i = $script:Started.Count - 1; $i -ge 0; $i--) {
        if ($script:Started[$i].Process -eq $Process) { $script:Started.RemoveAt($i) }
    }
    if ($WorkDir -and (Test-Path -LiteralPath $WorkDir)) {
        Remove-Item -LiteralPath $WorkDir -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Invoke-FixtureControl {
    # JSON call to a fixture's control endpoint; loopback, never through a proxy.
    param([string] $Method = 'GET', [Parameter(Mandatory)][string] $Uri, [object] $Body, [int] $TimeoutSec = 10)
    $p = @{ Method = $Method; Uri = $Uri; NoProxy = $true; TimeoutSec = $TimeoutSec; SkipHttpErrorCheck = $true
        StatusCodeVariable = 'status' }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $p.Body = if ($Body -is [string]) { $Body } else { ConvertTo-Json -InputObject $Body -Depth 20 -Compress }
        $p.ContentType = 'application/json'
    }
    $result = Invoke-RestMethod @p
    if ($status -ge 400) {
        $detail = if ($result -and $result.PSObject.Properties['error']) { $result.error } else { $result }
        throw "Fixture control $Method $Uri failed ($status): $detail"
    }
    return $result
}

function ConvertTo-FixtureHashtable($Object) {
    $h = [ordered]@{}
    if ($Object) { foreach ($p in $Object.PSObject.Properties) { $h[$p.Name] = $p.Value } }
    return $h
}

function Stop-TestFixtureServer {
    <# .SYNOPSIS Stops every server this module started (moto, issuers, fault STS). Safe to call twice. #>
    [CmdletBinding()]
    param()
    foreach ($s in @($script:Started)) { Stop-FixtureProcess -Process $s.Process -WorkDir $s.WorkDir }
}
