<#
.SYNOPSIS
Adds ImageInvoker to a WinPE / Ghost Solution Suite boot image (.wim).

.DESCRIPTION
Mounts one index of a WinPE boot .wim with DISM, copies imageinvoker.exe, its
config and (optionally) a CA file to X:\ImageInvoker\ inside the image, makes
WinPE start ImageInvoker after network initialisation, and commits the image.

Any failure after the mount unmounts with /Discard, so the .wim is either
fully updated or left exactly as it was. Running it again on the same image
replaces the files and does not add a second start line.

Run it from an elevated PowerShell on the machine that holds the boot image
(the DS / GSS server, or a copy of the .wim), with DISM from Windows or the
Windows ADK. Use the DISM that matches the WinPE version of the image.

.PARAMETER WimPath
The boot image, e.g. the boot.wim that Boot Disk Creator made for a PXE menu option.

.PARAMETER Index
Image index inside the .wim (WinPE boot images have one: 1).

.PARAMETER MountDir
An empty (or not yet existing) directory to mount the image in.

.PARAMETER Binary
imageinvoker-windows-amd64.exe or imageinvoker-windows-386.exe from scripts/build.sh;
it must match the WinPE architecture. Copied as X:\ImageInvoker\imageinvoker.exe.

.PARAMETER Config
The site config (see `imageinvoker config sample`). Copied as
X:\ImageInvoker\imageinvoker.yaml, where the binary finds it without flags.
It is validated first with `imageinvoker config check` when the binary runs here.

.PARAMETER CAFile
Optional PEM file of the CAs that sign the domain controllers' LDAPS
certificates; copied to X:\ImageInvoker\ under its own name. Point
directory.ca_file in the config at X:\ImageInvoker\<name>.

.PARAMETER Start
winpeshl (default): writes Windows\System32\winpeshl.ini, which replaces the
startnet.cmd shell: wpeinit, ImageInvoker, then startnet.cmd under cmd /c so
the DS agent still starts, then a reboot. No command prompt is left at any
point: when startnet.cmd ends (or Ctrl+C ends it), WinPE reboots.
startnet: adds a line after `wpeinit` in Windows\System32\startnet.cmd, so
ImageInvoker runs before whatever the DS automation starts next. It leaves a
shell (a lab choice): startnet.cmd runs under WinPE's own `cmd /k`, whose
Ctrl+C prompt "Terminate batch job (Y/N)?" ends the batch and leaves a
SYSTEM command prompt; nothing a batch file can do turns that prompt off.

.PARAMETER KeyboardLayout
Optional input locale for `wpeutil SetKeyboardLayout`, e.g. 0407:00000407
(German) or 0409:00000409 (US), so technicians can type passwords on their keyboards.

.PARAMETER SkipConfigCheck
Do not run `imageinvoker config check` on the config before mounting.

.EXAMPLE
.\Add-ImageInvoker.ps1 -WimPath D:\PXE\boot.wim -MountDir C:\Mount\ii -Binary .\imageinvoker-windows-amd64.exe -Config .\imageinvoker.yaml -CAFile .\lab-ca.pem -KeyboardLayout 0409:00000409 -WhatIf
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)][string]$WimPath,
    [ValidateRange(1, 99)][int]$Index = 1,
    [Parameter(Mandatory)][string]$MountDir,
    [Parameter(Mandatory)][string]$Binary,
    [Parameter(Mandatory)][string]$Config,
    [string]$CAFile,
    [ValidateSet('startnet', 'winpeshl')][string]$Start = 'winpeshl',
    [ValidatePattern('^[0-9A-Fa-f]{4}:[0-9A-Fa-f]{8}$')][string]$KeyboardLayout,
    [switch]$SkipConfigCheck
)

Set-StrictMode -Version 3
$ErrorActionPreference = 'Stop'

# The same marker as Add-ImageInvoker.cmd, so either script recognises the other's block.
$Marker = 'rem ImageInvoker: added by Add-ImageInvoker'
$ExeInImage = 'X:\ImageInvoker\imageinvoker.exe'

function Fail([string]$Message) {
    # A terminating error with a plain message: what is wrong and what to do.
    throw "Add-ImageInvoker: $Message"
}

function Test-Administrator {
    $id = [Security.Principal.WindowsIdentity]::GetCurrent()
    (New-Object Security.Principal.WindowsPrincipal $id).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
}

function Invoke-Dism([string]$What, [string[]]$Arguments) {
    # Windows PowerShell 5.1 turns a native command's stderr into errors that
    # 'Stop' would throw on; the exit code is what tells success here.
    $ErrorActionPreference = 'Continue'
    & $script:Dism @Arguments
    if ($LASTEXITCODE -ne 0) {
        Fail "DISM could not $What (exit code $LASTEXITCODE). Details: $env:windir\Logs\DISM\dism.log"
    }
}

# --- Checks that change nothing -------------------------------------------------

if (-not (Test-Administrator)) {
    Fail 'DISM needs an elevated PowerShell: right-click PowerShell, "Run as administrator", and run this again.'
}
$dismCmd = Get-Command dism.exe -ErrorAction SilentlyContinue
if (-not $dismCmd) {
    Fail 'dism.exe was not found: install the Windows ADK Deployment Tools or run on Windows 10/11 / Server 2016+.'
}
$script:Dism = $dismCmd.Source

foreach ($p in @(@{ Name = 'WimPath'; Path = $WimPath }, @{ Name = 'Binary'; Path = $Binary }, @{ Name = 'Config'; Path = $Config })) {
    if (-not (Test-Path -LiteralPath $p.Path -PathType Leaf)) { Fail "-$($p.Name) $($p.Path) is not a file." }
}
if ($CAFile -and -not (Test-Path -LiteralPath $CAFile -PathType Leaf)) { Fail "-CAFile $CAFile is not a file." }
$WimPath = (Resolve-Path -LiteralPath $WimPath).Path
$Binary = (Resolve-Path -LiteralPath $Binary).Path
$Config = (Resolve-Path -LiteralPath $Config).Path
if ($CAFile) { $CAFile = (Resolve-Path -LiteralPath $CAFile).Path }

if ((Get-Item -LiteralPath $WimPath).IsReadOnly) { Fail "$WimPath is read-only: DISM cannot commit to it. Clear the attribute or work on a copy." }

$head = [byte[]]::new(2)
$fs = [IO.File]::OpenRead($Binary)
try { [void]$fs.Read($head, 0, 2) } finally { $fs.Dispose() }
if ($head[0] -ne 0x4D -or $head[1] -ne 0x5A) { Fail "$Binary is not a Windows executable: use imageinvoker-windows-amd64.exe or -386.exe." }

if ($CAFile -and @('imageinvoker.exe', 'imageinvoker.yaml') -contains (Split-Path -Leaf $CAFile).ToLowerInvariant()) {
    Fail "-CAFile must not be named $(Split-Path -Leaf $CAFile): rename it (e.g. site-ca.pem)."
}

if (-not $SkipConfigCheck) {
    # The binary may be for another architecture than this machine; then skip.
    # 'Continue' for the same reason as in Invoke-Dism: the errors arrive on stderr.
    $out = $null
    $ErrorActionPreference = 'Continue'
    try { $out = & $Binary config check $Config 2>&1; $rc = $LASTEXITCODE } catch { $rc = $null }
    $ErrorActionPreference = 'Stop'
    $out = $out | ForEach-Object { "$_" }
    if ($rc -eq 2) { Fail "the config is not valid:`n$($out -join "`n")`nFix it, or pass -SkipConfigCheck." }
}

if (Test-Path -LiteralPath $MountDir) {
    if (-not (Test-Path -LiteralPath $MountDir -PathType Container)) { Fail "-MountDir $MountDir is a file, not a directory." }
    if (Get-ChildItem -LiteralPath $MountDir -Force | Select-Object -First 1) {
        Fail "-MountDir $MountDir is not empty (another image may be mounted there: see dism /Get-MountedImageInfo). Use an empty directory."
    }
}

$startDesc = if ($Start -eq 'winpeshl') { 'winpeshl.ini' } else { 'startnet.cmd' }
if (-not $PSCmdlet.ShouldProcess($WimPath, "mount index $Index at $MountDir, copy ImageInvoker to X:\ImageInvoker, start it from $startDesc, commit")) {
    return
}

# --- Changes: all inside one mount, committed at the end or discarded -------------

if (-not (Test-Path -LiteralPath $MountDir)) { New-Item -ItemType Directory -Path $MountDir | Out-Null }
$MountDir = (Resolve-Path -LiteralPath $MountDir).Path

$mounted = $false
$committed = $false
try {
    Invoke-Dism "mount $WimPath index $Index" @('/Mount-Image', "/ImageFile:$WimPath", "/Index:$Index", "/MountDir:$MountDir")
    $mounted = $true

    $system32 = Join-Path $MountDir 'Windows\System32'
    if (-not (Test-Path -LiteralPath (Join-Path $system32 'wpeinit.exe'))) {
        Fail "index $Index of $WimPath has no Windows\System32\wpeinit.exe: it is not a WinPE boot image."
    }

    $dest = Join-Path $MountDir 'ImageInvoker'
    New-Item -ItemType Directory -Path $dest -Force | Out-Null
    Copy-Item -LiteralPath $Binary -Destination (Join-Path $dest 'imageinvoker.exe') -Force
    Copy-Item -LiteralPath $Config -Destination (Join-Path $dest 'imageinvoker.yaml') -Force
    if ($CAFile) { Copy-Item -LiteralPath $CAFile -Destination (Join-Path $dest (Split-Path -Leaf $CAFile)) -Force }

    if ($Start -eq 'startnet') {
        $startnet = Join-Path $system32 'startnet.cmd'
        $lines = @()
        if (Test-Path -LiteralPath $startnet) { $lines = @(Get-Content -LiteralPath $startnet) }
        # Idempotent: drop the block a previous run added, then add it afresh.
        $kept = New-Object System.Collections.Generic.List[string]
        $skip = $false
        foreach ($l in $lines) {
            if ($l -eq $Marker) { $skip = $true; continue }
            if ($skip -and ($l -like 'wpeutil SetKeyboardLayout *' -or $l -eq $ExeInImage)) { continue }
            $skip = $false
            $kept.Add($l)
        }
        $block = @($Marker)
        if ($KeyboardLayout) { $block += "wpeutil SetKeyboardLayout $KeyboardLayout" }
        $block += $ExeInImage
        $at = -1
        for ($i = 0; $i -lt $kept.Count; $i++) { if ($kept[$i] -match '^\s*wpeinit(\.exe)?\b') { $at = $i; break } }
        if ($at -lt 0) {
            # Without wpeinit there is no network; DS's own images always have it.
            Write-Warning "startnet.cmd has no wpeinit line; adding one before ImageInvoker."
            $kept.Insert(0, 'wpeinit')
            $at = 0
        }
        $kept.InsertRange($at + 1, [string[]]$block)
        Set-Content -LiteralPath $startnet -Value $kept -Encoding Ascii
    }
    else {
        $ini = Join-Path $system32 'winpeshl.ini'
        if ((Test-Path -LiteralPath $ini) -and -not (Select-String -LiteralPath $ini -SimpleMatch -Quiet 'written by Add-ImageInvoker')) {
            Fail "the image already has a winpeshl.ini that this script did not write (another shell is configured). Use -Start startnet, or merge by hand."
        }
        $content = @('; ImageInvoker: written by Add-ImageInvoker.ps1', '[LaunchApps]', '%SYSTEMROOT%\System32\wpeinit.exe')
        if ($KeyboardLayout) { $content += "%SYSTEMROOT%\System32\wpeutil.exe, SetKeyboardLayout $KeyboardLayout" }
        # startnet.cmd last, so the DS automation agent it starts still runs after ImageInvoker;
        # under /c, not /k: when it ends (or Ctrl+C ends it) no prompt is left, and WinPE reboots.
        $content += @($ExeInImage, '%SYSTEMROOT%\System32\cmd.exe, /c %SYSTEMROOT%\System32\startnet.cmd', '%SYSTEMROOT%\System32\wpeutil.exe, reboot')
        Set-Content -LiteralPath $ini -Value $content -Encoding Ascii
    }

    Invoke-Dism "commit $WimPath" @('/Unmount-Image', "/MountDir:$MountDir", '/Commit')
    $committed = $true
    Write-Host "Add-ImageInvoker: $WimPath index $Index now starts $ExeInImage from $startDesc."
}
finally {
    # Runs on errors and on Ctrl+C alike: never leave a half-written image mounted.
    if ($mounted -and -not $committed) {
        Write-Warning "Add-ImageInvoker: discarding the changes to $WimPath."
        & $script:Dism /Unmount-Image "/MountDir:$MountDir" /Discard | Out-Host
        if ($LASTEXITCODE -ne 0) {
            Write-Warning "DISM could not discard the mount at $MountDir; run: dism /Unmount-Image /MountDir:$MountDir /Discard, then dism /Cleanup-Mountpoints"
        }
    }
}
