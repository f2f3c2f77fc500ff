#ifndef LANSCOPE_CCRYPT_SHIM_H
#define LANSCOPE_CCRYPT_SHIM_H
#include <crypt.h>
#endif
