// Package bootmedia holds the tests of what goes onto boot media: the
// release build (scripts/build.sh), the Linux initrd injection
// (scripts/inject-initrd.sh), the Windows binaries under Wine, and static
// checks of the WinPE scripts in winpe/. The tests run the real scripts and
// the real binaries; the package itself has no code.
package bootmedia
