#ifndef LANSCOPE_CCRYPT_SHIM_H
#define LANSCOPE_CCRYPT_SHIM_H
// libxcrypt's crypt_r for bcrypt verification.
#include <crypt.h>
// Linux interfaces the HTTP transport needs that Swift's Glibc module does not export.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif
