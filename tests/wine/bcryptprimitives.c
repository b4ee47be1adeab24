/*
 * A test-only stand-in for Windows' bcryptprimitives.dll, for running
 * Rust-built .exe files under wine 8 (Debian 12), which lacks the DLL.
 *
 * Rust's std (since 1.78) imports ProcessPrng from bcryptprimitives.dll to
 * seed its hash maps; without the DLL every Rust program fails to start
 * under wine ("Library bcryptprimitives.dll ... not found"). This stub
 * exports that one function and answers it with RtlGenRandom
 * (SystemFunction036 in advapi32), which wine has.
 *
 * Real Windows (10 and later) ships the DLL: never copy this one there.
 *
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll \
 *          bcryptprimitives.c -ladvapi32
 * (scripts/test-windows.sh does this and puts the DLL next to each .exe.)
 */
#include <windows.h>

/* advapi32's RtlGenRandom; the headers only declare it under that name
   with extra macros, so declare its real export here. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* Windows' contract: fills the buffer and always returns TRUE. Requests
   larger than a ULONG are filled in pieces. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return TRUE;
}
