/* For tests under Wine only; never shipped. Rust's standard library for Windows imports
 * ProcessPrng from bcryptprimitives.dll, which Windows 10 and later have and Wine 8.0 lacks:
 * this stand-in fills the buffer from advapi32's RtlGenRandom (SystemFunction036). */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
