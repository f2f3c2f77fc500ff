/* Compiled so SwiftPM treats LanscopeABI as a C target; the ABI itself is the header. */
#include "../../bpf/include/lanscope_abi.h"
