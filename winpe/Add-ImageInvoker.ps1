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
Optional when the image already has X:\ImageInvoker\imageinvoker.exe: without it
only the config (and the CA file) are replaced, and the config is not checked here.

.PARAMETER Config
Required except with -Inspect and -Preview. The site config (see `imageinvoker config sample`). Copied as
X:\ImageInvoker\imageinvoker.yaml, where the binary finds it without flags.
It is validated first with `imageinvoker config check` when the binary runs here.

.PARAMETER CAFile
Optional PEM file of the CAs that sign the domain controllers' LDAPS
certificates; copied to X:\ImageInvoker\ under its own name. Point
directory.ca_file in the config at X:\ImageInvoker\<name>: the script refuses a
-CAFile whose file name differs from the config's directory.ca_file, and an image
that would end up without the CA file the config names.

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

.PARAMETER SkipVersionCheck
Do not refuse when the WinPE version cannot be read from `dism /Get-ImageInfo`
(a DISM in another language may label it differently). An image that says it is
older than WinPE 10 is refused regardless.

.PARAMETER Preview
Change nothing: mount the index read-only, print the startnet.cmd (or
winpeshl.ini) as it is and as this script would write it, unmount with /Discard.

.PARAMETER Inspect
Change nothing: mount the index read-only, print the ImageInvoker version
(the exe's version resource), the sha256 of X:\ImageInvoker\imageinvoker.yaml
(the same hash `imageinvoker config show` and `doctor` print), the files in
X:\ImageInvoker and the start wiring (the marked startnet.cmd block or
winpeshl.ini), unmount with /Discard.

.EXAMPLE
.\Add-ImageInvoker.ps1 -WimPath D:\PXE\boot.wim -MountDir C:\Mount\ii -Binary .\imageinvoker-windows-amd64.exe -Config .\imageinvoker.yaml -CAFile .\lab-ca.pem -KeyboardLayout 0409:00000409 -WhatIf

.EXAMPLE
.\Add-ImageInvoker.ps1 -WimPath D:\PXE\boot.wim -MountDir C:\Mount\ii -Start startnet -Preview

.EXAMPLE
.\Add-ImageInvoker.ps1 -WimPath D:\PXE\boot.wim -MountDir C:\Mount\ii -Config .\imageinvoker.yaml
Updates only the config of an image that already has ImageInvoker.

.EXAMPLE
.\Add-ImageInvoker.ps1 -WimPath D:\PXE\boot.wim -MountDir C:\Mount\ii -Inspect
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)][string]$WimPath,
    [ValidateRange(1, 99)][int]$Index = 1,
    [Parameter(Mandatory)][string]$MountDir,
    [string]$Binary,
    [string]$Config,
    [string]$CAFile,
    [ValidateSet('startnet', 'winpeshl')][string]$Start = 'winpeshl',
    [ValidatePattern('^[0-9A-Fa-f]{4}:[0-9A-Fa-f]{8}$')][string]$KeyboardLayout,
    [switch]$SkipConfigCheck,
    [switch]$SkipVersionCheck,
    [switch]$Preview,
    [switch]$Inspect
)

Set-StrictMode -Version 3
$ErrorActionPreference = 'Stop'

# The same marker as Add-ImageInvoker.cmd, so either script recognises the other's block.
$Marker = 'rem ImageInvoker: added by Add-ImageInvoker'
$ExeInImage = 'X:\ImageInvoker\imageinvoker.exe'

# BEGIN wpeinit-pattern
# The one definition of "a startnet.cmd line that runs wpeinit": wpeinit,
# wpeinit.exe, any path to it (X:\Windows\System32\wpeinit.exe,
# %SYSTEMROOT%\System32\wpeinit.exe, quoted or not), after `call` and/or `@`,
# with leading blanks and arguments, any case; not `rem wpeinit`, not
# `echo wpeinit`, not wpeinitialize. Kept to the syntax .NET and Go regular
# expressions share: internal/bootmedia/winpe_wiring_test.go reads this
# literal from here and runs it on those lines.
$WpeinitPattern = '(?i)^\s*@?\s*(call\s+)?"?([^\s"]*\\)?wpeinit(\.exe)?"?([\s>&|]|$)'
# END wpeinit-pattern

# BEGIN winpe-version-pattern
# The image's Windows version in `dism /English /Get-ImageInfo` output
# ("Version : 10.0.19041"). DISM's own banner ("Version: 10.0.x") comes
# first, so the last match is the image's. Tested like the pattern above.
$WinPEVersionPattern = '(?im)^\s*Version\s*:\s*(\d+)\.(\d+)'
# END winpe-version-pattern

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

function Invoke-ReadOnlyMount([scriptblock]$Body) {
    # -Preview and -Inspect: mount read-only, look, always unmount with /Discard.
    $script:roMounted = $false
    try {
        Invoke-Dism "mount $WimPath index $Index read-only" @('/Mount-Image', "/ImageFile:$WimPath", "/Index:$Index", "/MountDir:$MountDir", '/ReadOnly')
        $script:roMounted = $true
        & $Body
    }
    finally {
        if ($script:roMounted) {
            & $script:Dism /Unmount-Image "/MountDir:$MountDir" /Discard | Out-Host
            if ($LASTEXITCODE -ne 0) {
                Write-Warning "DISM could not unmount $MountDir; run: dism /Unmount-Image /MountDir:$MountDir /Discard, then dism /Cleanup-Mountpoints"
            }
        }
    }
}

function Get-StartBlock {
    # The lines added after wpeinit in startnet.cmd.
    $block = @($Marker)
    if ($KeyboardLayout) { $block += "wpeutil SetKeyboardLayout $KeyboardLayout" }
    $block + $ExeInImage
}

function Get-StartnetWithBlock([string[]]$Lines) {
    # startnet.cmd's lines without a previous run's block, with the block
    # right after the first line that runs wpeinit; $null when no line runs
    # it (then ImageInvoker would have no network, or would run before DS's
    # lines: refused). An empty or missing startnet.cmd gets `wpeinit` first.
    $kept = New-Object System.Collections.Generic.List[string]
    $skip = $false
    foreach ($l in $Lines) {
        if ($l -eq $Marker) { $skip = $true; continue }
        if ($skip -and ($l -like 'wpeutil SetKeyboardLayout *' -or $l -eq $ExeInImage)) { continue }
        $skip = $false
        $kept.Add($l)
    }
    $at = -1
    for ($i = 0; $i -lt $kept.Count; $i++) { if ($kept[$i] -match $WpeinitPattern) { $at = $i; break } }
    if ($at -lt 0) {
        if (@($kept | Where-Object { $_.Trim() -ne '' }).Count -gt 0) { return $null }
        $kept.Clear()
        $kept.Add('wpeinit')
        $at = 0
    }
    $kept.InsertRange($at + 1, [string[]](Get-StartBlock))
    return , $kept.ToArray()
}

function Get-WinpeshlContent([string]$Script = 'Add-ImageInvoker.ps1') {
    $content = @("; ImageInvoker: written by $Script", '[LaunchApps]', '%SYSTEMROOT%\System32\wpeinit.exe')
    if ($KeyboardLayout) { $content += "%SYSTEMROOT%\System32\wpeutil.exe, SetKeyboardLayout $KeyboardLayout" }
    # startnet.cmd last, so the DS automation agent it starts still runs after ImageInvoker;
    # under /c, not /k: when it ends (or Ctrl+C ends it) no prompt is left, and WinPE reboots.
    $content += @($ExeInImage, '%SYSTEMROOT%\System32\cmd.exe, /c %SYSTEMROOT%\System32\startnet.cmd', '%SYSTEMROOT%\System32\wpeutil.exe, reboot')
    $content
}

function Test-OurWinpeshl([string]$Ini) {
    -not (Test-Path -LiteralPath $Ini) -or (Select-String -LiteralPath $Ini -SimpleMatch -Quiet 'written by Add-ImageInvoker')
}

function Show-Lines([string]$Title, [string[]]$Lines) {
    Write-Host "--- $Title"
    if (-not $Lines -or $Lines.Count -eq 0) { Write-Host '    (none)' }
    foreach ($l in $Lines) { Write-Host "    $l" }
}

function Get-ConfigCAFile([string]$Path) {
    # directory.ca_file as written in the config file itself (PowerShell 5.1
    # has no YAML parser): the ca_file key at the first indentation level
    # under the top-level `directory:` key. Sites' and domains' own ca_file,
    # and one set by an include, are not seen.
    $in = $false
    $indent = -1
    foreach ($l in Get-Content -LiteralPath $Path) {
        if ($l -match '^\s*(#.*)?$') { continue }
        if ($l -match '^directory:\s*(#.*)?$') { $in = $true; $indent = -1; continue }
        if ($l -match '^\S') { $in = $false; continue }
        if (-not $in) { continue }
        $lead = $l.Length - $l.TrimStart().Length
        if ($indent -lt 0) { $indent = $lead }
        if ($lead -eq $indent -and $l -match '^\s*ca_file:\s*(.*)$') {
            $v = ($Matches[1] -replace '\s+#.*$', '').Trim()
            if ($v.StartsWith('"')) { $v = $v.Trim('"') -replace '\\\\', '\' }
            elseif ($v.StartsWith("'")) { $v = $v.Trim("'") -replace "''", "'" }
            if ($v) { return $v }
        }
    }
    return $null
}

function Show-Wiring([string]$System32) {
    # The start wiring as it is in the image: winpeshl.ini, and startnet.cmd's marked block.
    $ini = Join-Path $System32 'winpeshl.ini'
    if (Test-Path -LiteralPath $ini) { Show-Lines 'Windows\System32\winpeshl.ini' @(Get-Content -LiteralPath $ini) }
    else { Write-Host '--- Windows\System32\winpeshl.ini: none (startnet.cmd is the shell)' }
    $sn = Join-Path $System32 'startnet.cmd'
    $lines = @()
    if (Test-Path -LiteralPath $sn) { $lines = @(Get-Content -LiteralPath $sn) }
    $at = [array]::IndexOf([string[]]$lines, $Marker)
    if ($at -lt 0) { Write-Host '--- Windows\System32\startnet.cmd: no ImageInvoker block' }
    else {
        $from = [math]::Max($at - 1, 0)
        $to = [math]::Min($at + 2, $lines.Count - 1)
        Show-Lines 'Windows\System32\startnet.cmd (the ImageInvoker block and the line before it)' $lines[$from..$to]
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

if ($Preview -and $Inspect) { Fail '-Preview and -Inspect are separate runs: pass one of them.' }
$readOnly = $Preview -or $Inspect
if (-not $readOnly -and -not $Config) { Fail '-Config is required (only -Inspect and -Preview do without it).' }

$files = @(@{ Name = 'WimPath'; Path = $WimPath })
if ($Binary) { $files += @{ Name = 'Binary'; Path = $Binary } }
if ($Config) { $files += @{ Name = 'Config'; Path = $Config } }
foreach ($p in $files) {
    if (-not (Test-Path -LiteralPath $p.Path -PathType Leaf)) { Fail "-$($p.Name) $($p.Path) is not a file." }
}
if ($CAFile -and -not (Test-Path -LiteralPath $CAFile -PathType Leaf)) { Fail "-CAFile $CAFile is not a file." }
$WimPath = (Resolve-Path -LiteralPath $WimPath).Path
if ($Binary) { $Binary = (Resolve-Path -LiteralPath $Binary).Path }
if ($Config) { $Config = (Resolve-Path -LiteralPath $Config).Path }
if ($CAFile) { $CAFile = (Resolve-Path -LiteralPath $CAFile).Path }

if (-not $readOnly -and (Get-Item -LiteralPath $WimPath).IsReadOnly) { Fail "$WimPath is read-only: DISM cannot commit to it. Clear the attribute or work on a copy." }

if ($Binary) {
    $head = [byte[]]::new(2)
    $fs = [IO.File]::OpenRead($Binary)
    try { [void]$fs.Read($head, 0, 2) } finally { $fs.Dispose() }
    if ($head[0] -ne 0x4D -or $head[1] -ne 0x5A) { Fail "$Binary is not a Windows executable: use imageinvoker-windows-amd64.exe or -386.exe." }
}

if ($CAFile -and @('imageinvoker.exe', 'imageinvoker.yaml') -contains (Split-Path -Leaf $CAFile).ToLowerInvariant()) {
    Fail "-CAFile must not be named $(Split-Path -Leaf $CAFile): rename it (e.g. site-ca.pem)."
}

# The CA file ImageInvoker will look for is the one the config names.
$cfgCA = $null
$cfgCALeaf = $null
if ($Config) {
    $cfgCA = Get-ConfigCAFile $Config
    if ($cfgCA) { $cfgCALeaf = ($cfgCA -split '[\\/]')[-1] }
}
if ($CAFile -and $Config) {
    $caLeaf = Split-Path -Leaf $CAFile
    if (-not $cfgCA) {
        Write-Warning "-CAFile $caLeaf is copied, but $Config sets no directory.ca_file: ImageInvoker will not use it."
    }
    elseif ($caLeaf -ne $cfgCALeaf) {
        Fail "-CAFile is named $caLeaf, but the config's directory.ca_file is $cfgCA, so ImageInvoker would not find it. Rename the file to $cfgCALeaf, or set directory.ca_file: X:\ImageInvoker\$caLeaf."
    }
}

if ($Config -and -not $SkipConfigCheck -and -not $readOnly) {
    if (-not $Binary) {
        Write-Warning "the config is not checked (no -Binary to check it with): run 'imageinvoker config check $Config' yourself."
    }
    else {
        # The binary may be for another architecture than this machine; then skip.
        # 'Continue' for the same reason as in Invoke-Dism: the errors arrive on stderr.
        $out = $null
        $ErrorActionPreference = 'Continue'
        try { $out = & $Binary config check $Config 2>&1; $rc = $LASTEXITCODE } catch { $rc = $null }
        $ErrorActionPreference = 'Stop'
        $out = $out | ForEach-Object { "$_" }
        if ($rc -eq 2) { Fail "the config is not valid:`n$($out -join "`n")`nFix it, or pass -SkipConfigCheck." }
    }
}

if (-not $Inspect) {
    # Go 1.21 and later, which ImageInvoker is built with, need a Windows 10
    # kernel: on an older WinPE the exe does not start, and says nothing.
    $ErrorActionPreference = 'Continue'
    $info = @(& $script:Dism /English /Get-ImageInfo "/ImageFile:$WimPath" "/Index:$Index" 2>&1 | ForEach-Object { "$_" })
    $rc = $LASTEXITCODE
    $ErrorActionPreference = 'Stop'
    if ($rc -ne 0) { Fail "DISM could not read index $Index of $WimPath (exit code $rc): $($info -join ' ')" }
    $found = [regex]::Matches(($info -join "`n"), $WinPEVersionPattern)
    if ($found.Count -eq 0) {
        if (-not $SkipVersionCheck) {
            Fail "could not read the Windows version of index $Index from dism /Get-ImageInfo. Check that it is WinPE 10 or later, then pass -SkipVersionCheck."
        }
        Write-Warning "the WinPE version was not read (-SkipVersionCheck): ImageInvoker needs WinPE 10 or later."
    }
    else {
        $v = $found[$found.Count - 1]
        if ([int]$v.Groups[1].Value -lt 10) {
            Fail "index $Index of $WimPath is Windows $($v.Groups[1].Value).$($v.Groups[2].Value), older than WinPE 10. ImageInvoker is a Go program, and Go binaries need a Windows 10 kernel: it would not start there. Build the boot image from WinPE 10 or later (Windows ADK for Windows 10/11)."
        }
    }
}

if (Test-Path -LiteralPath $MountDir) {
    if (-not (Test-Path -LiteralPath $MountDir -PathType Container)) { Fail "-MountDir $MountDir is a file, not a directory." }
    if (Get-ChildItem -LiteralPath $MountDir -Force | Select-Object -First 1) {
        Fail "-MountDir $MountDir is not empty (another image may be mounted there: see dism /Get-MountedImageInfo). Use an empty directory."
    }
}

$startDesc = if ($Start -eq 'winpeshl') { 'winpeshl.ini' } else { 'startnet.cmd' }

# --- -Preview and -Inspect: a read-only mount, discarded -------------------------

if ($readOnly) {
    if (-not (Test-Path -LiteralPath $MountDir)) { New-Item -ItemType Directory -Path $MountDir | Out-Null }
    $MountDir = (Resolve-Path -LiteralPath $MountDir).Path
    Invoke-ReadOnlyMount {
        $system32 = Join-Path $MountDir 'Windows\System32'
        $dest = Join-Path $MountDir 'ImageInvoker'
        if ($Inspect) {
            Write-Host "Add-ImageInvoker: $WimPath index $Index"
            $exe = Join-Path $dest 'imageinvoker.exe'
            if (Test-Path -LiteralPath $exe) {
                # The version resource scripts/build.sh puts in the exe.
                $vi = (Get-Item -LiteralPath $exe).VersionInfo
                Write-Host "  ImageInvoker version: $($vi.ProductVersion) ($($vi.Comments))"
            }
            else { Write-Host '  X:\ImageInvoker\imageinvoker.exe: not on this image' }
            $cfg = Join-Path $dest 'imageinvoker.yaml'
            if (Test-Path -LiteralPath $cfg) {
                # The same hash as `imageinvoker config show` and `doctor`.
                Write-Host "  config sha256: $((Get-FileHash -Algorithm SHA256 -LiteralPath $cfg).Hash.ToLowerInvariant())"
            }
            else { Write-Host '  X:\ImageInvoker\imageinvoker.yaml: not on this image' }
            if (Test-Path -LiteralPath $dest) {
                Get-ChildItem -LiteralPath $dest -Force -File | ForEach-Object { Write-Host ("  X:\ImageInvoker\{0}  {1} bytes" -f $_.Name, $_.Length) }
            }
            Show-Wiring $system32
            return
        }
        if (-not (Test-Path -LiteralPath (Join-Path $system32 'wpeinit.exe'))) {
            Fail "index $Index of $WimPath has no Windows\System32\wpeinit.exe: it is not a WinPE boot image."
        }
        $sn = Join-Path $system32 'startnet.cmd'
        $before = @()
        if (Test-Path -LiteralPath $sn) { $before = @(Get-Content -LiteralPath $sn) }
        if ($Start -eq 'startnet') {
            Show-Lines 'Windows\System32\startnet.cmd now' $before
            $after = Get-StartnetWithBlock $before
            if ($null -eq $after) { Write-Warning 'startnet.cmd has no line that runs wpeinit: -Start startnet would refuse this image (use -Start winpeshl).' }
            else { Show-Lines 'Windows\System32\startnet.cmd after' $after }
        }
        else {
            $ini = Join-Path $system32 'winpeshl.ini'
            $iniNow = @()
            if (Test-Path -LiteralPath $ini) { $iniNow = @(Get-Content -LiteralPath $ini) }
            Show-Lines 'Windows\System32\winpeshl.ini now' $iniNow
            if (-not (Test-OurWinpeshl $ini)) { Write-Warning 'this winpeshl.ini was not written by this script: -Start winpeshl would refuse this image.' }
            else { Show-Lines 'Windows\System32\winpeshl.ini after' (Get-WinpeshlContent) }
            Show-Lines 'Windows\System32\startnet.cmd (unchanged; run under cmd /c after ImageInvoker)' $before
        }
    }
    return
}

if ($WhatIfPreference) {
    # What would be written; the startnet.cmd around it needs the image: -Preview.
    if ($Start -eq 'winpeshl') { Show-Lines 'What if: Windows\System32\winpeshl.ini would be' (Get-WinpeshlContent) }
    else { Show-Lines 'What if: Windows\System32\startnet.cmd would get, right after its wpeinit line (-Preview shows the whole file)' (Get-StartBlock) }
}
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
    if (-not $Binary -and -not (Test-Path -LiteralPath (Join-Path $dest 'imageinvoker.exe'))) {
        Fail "index $Index of $WimPath has no X:\ImageInvoker\imageinvoker.exe yet: pass -Binary (only an update can leave it out)."
    }
    if ($cfgCALeaf -and -not $CAFile -and ($cfgCA -like 'X:\ImageInvoker\*' -or $cfgCA -notmatch '[\\/]') -and
        -not (Test-Path -LiteralPath (Join-Path $dest $cfgCALeaf))) {
        Fail "the config's directory.ca_file is $cfgCA, but the image has no X:\ImageInvoker\${cfgCALeaf}: pass -CAFile."
    }
    New-Item -ItemType Directory -Path $dest -Force | Out-Null
    if ($Binary) { Copy-Item -LiteralPath $Binary -Destination (Join-Path $dest 'imageinvoker.exe') -Force }
    Copy-Item -LiteralPath $Config -Destination (Join-Path $dest 'imageinvoker.yaml') -Force
    if ($CAFile) { Copy-Item -LiteralPath $CAFile -Destination (Join-Path $dest (Split-Path -Leaf $CAFile)) -Force }

    if ($Start -eq 'startnet') {
        $startnet = Join-Path $system32 'startnet.cmd'
        $lines = @()
        if (Test-Path -LiteralPath $startnet) { $lines = @(Get-Content -LiteralPath $startnet) }
        # Idempotent: drops the block a previous run added, then adds it afresh.
        $new = Get-StartnetWithBlock $lines
        if ($null -eq $new) {
            Fail "startnet.cmd has no line that runs wpeinit, so there is no place after network start for ImageInvoker. Use -Start winpeshl (the default), or add wpeinit to startnet.cmd."
        }
        Set-Content -LiteralPath $startnet -Value $new -Encoding Ascii
    }
    else {
        $ini = Join-Path $system32 'winpeshl.ini'
        if (-not (Test-OurWinpeshl $ini)) {
            Fail "the image already has a winpeshl.ini that this script did not write (another shell is configured). Use -Start startnet, or merge by hand."
        }
        Set-Content -LiteralPath $ini -Value (Get-WinpeshlContent) -Encoding Ascii
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
