#ifndef LANSCOPE_CLINUX_SHIM_H
#define LANSCOPE_CLINUX_SHIM_H
// Linux and glibc interfaces Swift's Glibc module does not export.
#include <sys/epoll.h>   // HTTP transport event loop
#include <sys/eventfd.h> // waking the event loop
#include <malloc.h>      // mallopt: allocator settings for a long-running service
#endif
