@echo off
rem Add-ImageInvoker.cmd: the same steps as Add-ImageInvoker.ps1, for machines
rem without PowerShell. Run from an elevated command prompt.
rem
rem   Add-ImageInvoker.cmd WIM INDEX MOUNTDIR BINARY CONFIG [CAFILE^|-] [winpeshl^|startnet] [KEYBOARDLAYOUT]
rem
rem   Add-ImageInvoker.cmd D:\PXE\boot.wim 1 C:\Mount\ii imageinvoker-windows-amd64.exe imageinvoker.yaml lab-ca.pem startnet 0409:00000409
rem
rem Any failure after the mount unmounts with /Discard: the .wim is either fully
rem updated or unchanged. Running it again does not add a second start line.
rem It refuses an image older than WinPE 10 (set II_SKIP_VERSION_CHECK=1 when
rem DISM's output cannot be read). -Preview, -Inspect, the CA name check and a
rem config-only update are in Add-ImageInvoker.ps1 only.
setlocal EnableExtensions DisableDelayedExpansion

set "WIM=%~f1"
set "INDEX=%~2"
set "MOUNT=%~f3"
set "BIN=%~f4"
set "CFG=%~f5"
set "CA=%~6"
set "START=%~7"
set "KBD=%~8"
if "%START%"=="" set "START=winpeshl"
if "%CA%"=="-" set "CA="
if not "%CA%"=="" set "CA=%~f6"
set "EXE=X:\ImageInvoker\imageinvoker.exe"
set "MARKER=rem ImageInvoker: added by Add-ImageInvoker"

if "%~5"=="" (
  echo usage: %~nx0 WIM INDEX MOUNTDIR BINARY CONFIG [CAFILE^|-] [winpeshl^|startnet] [KEYBOARDLAYOUT] 1>&2
  exit /b 2
)

rem --- Checks that change nothing ---------------------------------------------
rem fltmc needs administrator rights, like DISM, and exists on every Windows.
fltmc >nul 2>&1
if errorlevel 1 (
  echo Add-ImageInvoker: DISM needs an elevated prompt: right-click cmd, "Run as administrator". 1>&2
  exit /b 1
)
where dism.exe >nul 2>&1
if errorlevel 1 (
  echo Add-ImageInvoker: dism.exe was not found: install the Windows ADK Deployment Tools. 1>&2
  exit /b 1
)
if not exist "%WIM%" ( echo Add-ImageInvoker: WIM %WIM% does not exist. 1>&2 & exit /b 2 )
if not exist "%BIN%" ( echo Add-ImageInvoker: binary %BIN% does not exist. 1>&2 & exit /b 2 )
if not exist "%CFG%" ( echo Add-ImageInvoker: config %CFG% does not exist. 1>&2 & exit /b 2 )
if not "%CA%"=="" if not exist "%CA%" ( echo Add-ImageInvoker: CA file %CA% does not exist. 1>&2 & exit /b 2 )
if /i not "%START%"=="startnet" if /i not "%START%"=="winpeshl" (
  echo Add-ImageInvoker: start must be startnet or winpeshl, not %START%. 1>&2
  exit /b 2
)
echo %INDEX%| findstr /r "^[1-9][0-9]*$" >nul
if errorlevel 1 ( echo Add-ImageInvoker: INDEX must be a number like 1, not %INDEX%. 1>&2 & exit /b 2 )
if not "%KBD%"=="" (
  echo %KBD%| findstr /r /i "^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]$" >nul
  if errorlevel 1 ( echo Add-ImageInvoker: keyboard layout must look like 0409:00000409, not %KBD%. 1>&2 & exit /b 2 )
)
rem Validate the config with the binary itself when it runs here (exit 2 = invalid).
"%BIN%" config check "%CFG%"
if errorlevel 2 if not errorlevel 3 (
  echo Add-ImageInvoker: the config is not valid ^(errors above^); fix it first. 1>&2
  exit /b 2
)
rem Go binaries need a Windows 10 kernel: refuse an older WinPE. The image's
rem line is "Version : 10.0.x" (DISM's own banner says "Version: ", no blank).
set "WINVER="
for /f "tokens=1,* delims=: " %%A in ('dism /English /Get-ImageInfo /ImageFile:"%WIM%" /Index:%INDEX% ^| findstr /b /c:"Version :"') do set "WINVER=%%B"
set "WINMAJOR="
if defined WINVER for /f "delims=." %%M in ("%WINVER%") do set "WINMAJOR=%%M"
if not defined WINMAJOR if not "%II_SKIP_VERSION_CHECK%"=="1" (
  echo Add-ImageInvoker: could not read the Windows version of %WIM% index %INDEX% from dism /Get-ImageInfo. Check that it is WinPE 10 or later, then set II_SKIP_VERSION_CHECK=1. 1>&2
  exit /b 2
)
if defined WINMAJOR if %WINMAJOR% LSS 10 (
  echo Add-ImageInvoker: %WIM% index %INDEX% is Windows %WINVER%, older than WinPE 10. ImageInvoker is a Go program, and Go binaries need a Windows 10 kernel: it would not start there. Build the boot image from WinPE 10 or later. 1>&2
  exit /b 2
)

if exist "%MOUNT%\" (
  for /f %%F in ('dir /a /b "%MOUNT%" 2^>nul') do (
    echo Add-ImageInvoker: mount directory %MOUNT% is not empty; use an empty directory. 1>&2
    exit /b 2
  )
) else (
  mkdir "%MOUNT%" || ( echo Add-ImageInvoker: cannot create %MOUNT%. 1>&2 & exit /b 1 )
)

rem --- Changes: all inside one mount, committed at the end or discarded ---------
dism /Mount-Image /ImageFile:"%WIM%" /Index:%INDEX% /MountDir:"%MOUNT%"
if errorlevel 1 (
  echo Add-ImageInvoker: DISM could not mount %WIM% index %INDEX%; see %windir%\Logs\DISM\dism.log 1>&2
  exit /b 1
)

set "SYS32=%MOUNT%\Windows\System32"
if not exist "%SYS32%\wpeinit.exe" ( echo Add-ImageInvoker: index %INDEX% is not a WinPE boot image ^(no wpeinit.exe^). 1>&2 & goto discard )

if not exist "%MOUNT%\ImageInvoker" mkdir "%MOUNT%\ImageInvoker" || goto discard
copy /y "%BIN%" "%MOUNT%\ImageInvoker\imageinvoker.exe" >nul || goto discard
copy /y "%CFG%" "%MOUNT%\ImageInvoker\imageinvoker.yaml" >nul || goto discard
if not "%CA%"=="" ( copy /y "%CA%" "%MOUNT%\ImageInvoker\" >nul || goto discard )

if /i "%START%"=="winpeshl" goto winpeshl

rem startnet.cmd: rewrite it without a previous run's block, adding the block
rem right after the first line that runs wpeinit (see :iswpeinit). (for /f
rem drops blank lines; nothing else.) A missing or empty startnet.cmd gets
rem wpeinit; one with lines but none that runs wpeinit is refused, never
rem given a second wpeinit with ImageInvoker before DS's lines.
set "SN=%SYS32%\startnet.cmd"
if not exist "%SN%" ( echo wpeinit> "%SN%" || goto discard )
for %%S in ("%SN%") do if %%~zS==0 ( echo wpeinit> "%SN%" || goto discard )
set "BLOCK_DONE="
set "AFTER_MARKER="
(
  for /f "usebackq eol=| delims=" %%L in ("%SN%") do (
    set "LINE=%%L"
    call :emit
  )
) > "%SN%.new" || goto discard
if not defined BLOCK_DONE (
  echo Add-ImageInvoker: startnet.cmd has no line that runs wpeinit, so there is no place after network start for ImageInvoker. Use winpeshl ^(the default^), or add wpeinit to startnet.cmd. 1>&2
  del "%SN%.new" >nul 2>&1
  goto discard
)
move /y "%SN%.new" "%SN%" >nul || goto discard
goto commit

:winpeshl
set "INI=%SYS32%\winpeshl.ini"
if exist "%INI%" (
  findstr /c:"written by Add-ImageInvoker" "%INI%" >nul
  if errorlevel 1 (
    echo Add-ImageInvoker: the image already has a winpeshl.ini not written by this script; use startnet. 1>&2
    goto discard
  )
)
(
  echo ; ImageInvoker: written by Add-ImageInvoker.cmd
  echo [LaunchApps]
  echo %%SYSTEMROOT%%\System32\wpeinit.exe
  if not "%KBD%"=="" echo %%SYSTEMROOT%%\System32\wpeutil.exe, SetKeyboardLayout %KBD%
  echo %EXE%
  echo %%SYSTEMROOT%%\System32\cmd.exe, /c %%SYSTEMROOT%%\System32\startnet.cmd
  echo %%SYSTEMROOT%%\System32\wpeutil.exe, reboot
) > "%INI%" || goto discard

:commit
dism /Unmount-Image /MountDir:"%MOUNT%" /Commit
if errorlevel 1 (
  echo Add-ImageInvoker: DISM could not commit; discarding. See %windir%\Logs\DISM\dism.log 1>&2
  goto discard
)
echo Add-ImageInvoker: %WIM% index %INDEX% now starts %EXE% from %START%.
exit /b 0

:discard
echo Add-ImageInvoker: discarding the changes to %WIM%. 1>&2
dism /Unmount-Image /MountDir:"%MOUNT%" /Discard
if errorlevel 1 echo Add-ImageInvoker: run dism /Unmount-Image /MountDir:"%MOUNT%" /Discard and dism /Cleanup-Mountpoints by hand. 1>&2
exit /b 1

rem :emit copies one startnet.cmd line, drops the block an earlier run added,
rem and adds the block after the first wpeinit line. Delayed expansion keeps
rem lines with & | > (redirections in DS's own startnet.cmd) intact.
:emit
setlocal EnableDelayedExpansion
if "!LINE!"=="!MARKER!" ( endlocal & set "AFTER_MARKER=1" & exit /b 0 )
if defined AFTER_MARKER (
  if /i "!LINE:~0,26!"=="wpeutil SetKeyboardLayout " ( endlocal & exit /b 0 )
  if /i "!LINE!"=="!EXE!" ( endlocal & set "AFTER_MARKER=" & exit /b 0 )
)
echo(!LINE!
set "ISWPE="
if not defined BLOCK_DONE call :iswpeinit
if defined ISWPE (
  echo !MARKER!
  if not "!KBD!"=="" echo wpeutil SetKeyboardLayout !KBD!
  echo !EXE!
)
endlocal & set "AFTER_MARKER=" & if "%ISWPE%"=="1" set "BLOCK_DONE=1"
exit /b 0

rem :iswpeinit sets ISWPE when LINE runs wpeinit: its first word, after an @
rem and a call, is wpeinit or wpeinit.exe, or a path ending in \wpeinit or
rem \wpeinit.exe (X:\Windows\System32\wpeinit.exe, %SYSTEMROOT%\...),
rem quoted or not, any case, with or without arguments. Not rem/echo lines,
rem not wpeinitialize. Narrower than the .ps1's $WpeinitPattern in one way:
rem a redirection glued to the word (wpeinit>nul) is not recognised; write
rem wpeinit >nul. Called from :emit with delayed expansion on.
:iswpeinit
set "W1="
set "W2="
set "W3="
for /f "tokens=1-3" %%A in ("!LINE!") do ( set "W1=%%~A" & set "W2=%%~B" & set "W3=%%~C" )
if "!W1:~0,1!"=="@" set "W1=!W1:~1!"
if not defined W1 ( set "W1=!W2!" & set "W2=!W3!" )
if /i "!W1!"=="call" set "W1=!W2!"
if not defined W1 exit /b 0
if /i "!W1!"=="wpeinit" set "ISWPE=1"
if /i "!W1!"=="wpeinit.exe" set "ISWPE=1"
if /i "!W1:~-8!"=="\wpeinit" set "ISWPE=1"
if /i "!W1:~-12!"=="\wpeinit.exe" set "ISWPE=1"
exit /b 0
