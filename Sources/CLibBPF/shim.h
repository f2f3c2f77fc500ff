#ifndef LANSCOPE_CLIBBPF_SHIM_H
#define LANSCOPE_CLIBBPF_SHIM_H
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#endif
