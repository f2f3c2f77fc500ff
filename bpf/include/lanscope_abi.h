/* lanscope kernel <-> userspace ABI. The one header shared by bpf/*.bpf.c and Swift (LanscopeABI). */
#ifndef LANSCOPE_ABI_H
#define LANSCOPE_ABI_H
#include <linux/types.h>

#define LS_ABI_VERSION 1

#endif
