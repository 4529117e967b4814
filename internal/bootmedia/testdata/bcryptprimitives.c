/*
 * A stand-in bcryptprimitives.dll for Wine 8.0 (Debian 12), used by the
 * bootmedia tests only; it never goes onto boot media.
 *
 * Go 1.24+ Windows binaries get their random numbers from ProcessPrng in
 * bcryptprimitives.dll, which every Windows 10/11 and WinPE 10/11 has, but
 * which Wine only gained after 8.0; without it the Go runtime stops at
 * start-up ("bcryptprimitives.dll not found"). This DLL forwards ProcessPrng
 * to RtlGenRandom (advapi32's SystemFunction036), which Wine 8.0 has.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
