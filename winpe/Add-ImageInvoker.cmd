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
rem right after the wpeinit line. (for /f drops blank lines; nothing else.)
set "SN=%SYS32%\startnet.cmd"
if not exist "%SN%" ( echo wpeinit> "%SN%" || goto discard )
findstr /r /b /i /c:" *wpeinit" "%SN%" >nul
if errorlevel 1 (
  echo Add-ImageInvoker: warning: startnet.cmd has no wpeinit line; adding one. 1>&2
  ( echo wpeinit& type "%SN%" ) > "%SN%.new" || goto discard
  move /y "%SN%.new" "%SN%" >nul || goto discard
)
set "BLOCK_DONE="
set "AFTER_MARKER="
(
  for /f "usebackq eol=| delims=" %%L in ("%SN%") do (
    set "LINE=%%L"
    call :emit
  )
) > "%SN%.new" || goto discard
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
set "T=!LINE: =!"
set "ISWPE="
if /i "!T:~0,7!"=="wpeinit" if not defined BLOCK_DONE set "ISWPE=1"
if defined ISWPE (
  echo !MARKER!
  if not "!KBD!"=="" echo wpeutil SetKeyboardLayout !KBD!
  echo !EXE!
)
endlocal & set "AFTER_MARKER=" & if "%ISWPE%"=="1" set "BLOCK_DONE=1"
exit /b 0
